#include "viz/trajectory_pick.h"

#include <algorithm>
#include <cmath>

#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/line_spans.h"

namespace lstmscope::viz {

LineUnderPointer lineUnderPointer(const HeatmapData& data, const TrajectoryAxes& axes, QPointF position, double reach,
                                  const std::vector<int>& onTop, LinesToPick pick) {
  LineUnderPointer found;
  if (data.steps() == 0 || data.units() == 0 || !axes.plot.adjusted(-reach, -reach, reach, reach).contains(position))
    return found;
  const Mat<float>& values = data.values();
  const double t0 = axes.stepAt(position.x() - 0.5), t1 = axes.stepAt(position.x() + 0.5);
  // The vertices inside the column, as extremes per unit (the pyramid when a render built it).
  const long k0 = std::max(0L, static_cast<long>(std::ceil(t0))),
             k1 = std::min(data.steps(), static_cast<long>(std::floor(t1)) + 1);
  Eigen::VectorXf inLo, inHi;
  if (k1 > k0) minMaxOverSteps(data, k0, k1, inLo, inHi, /*mayBuild=*/false);
  double best = reach + 1;
  for (int u = 0; u < data.units(); ++u) {
    const bool isOnTop = std::find(onTop.begin(), onTop.end(), u) != onTop.end();
    if (pick == LinesToPick::OnTopOnly && !isOnTop) continue;
    float lo = std::min(lineValueAt(values, u, t0), lineValueAt(values, u, t1));
    float hi = std::max(lineValueAt(values, u, t0), lineValueAt(values, u, t1));
    if (k1 > k0) lo = std::min(lo, inLo(u)), hi = std::max(hi, inHi(u));
    if (!std::isfinite(lo) || !std::isfinite(hi)) continue;
    const double top = axes.yOf(hi), bottom = axes.yOf(lo);
    double distance = position.y() < top ? top - position.y() : position.y() > bottom ? position.y() - bottom : 0;
    if (distance > reach) continue;
    if (isOnTop) distance -= reach / 3;
    if (distance < best) best = distance, found.unit = u;
  }
  if (found.unit < 0) return found;
  // The step: the nearest vertex when steps are wider than a pixel; in a column of several steps, the
  // one whose value is nearest the pointer (a spike is named where it is).
  found.step = std::clamp(std::lround(axes.stepAt(position.x())), 0L, data.steps() - 1);
  const double wanted = axes.valueAt(position.y());
  for (long k = k0; k < k1; ++k)
    if (std::isfinite(values(found.unit, k)) &&
        !(std::abs(values(found.unit, k) - wanted) >= std::abs(values(found.unit, found.step) - wanted)))
      found.step = k;
  found.value = values(found.unit, found.step);
  return found;
}

}  // namespace lstmscope::viz
