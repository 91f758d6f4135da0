#include "core/analysis/selection.h"

#include <algorithm>
#include <limits>

namespace lstmscope {

std::vector<SelectedUnit> selectUnits(const Mat<float>& values, const BrushQuery& q) {
  std::vector<SelectedUnit> out;
  const long T = values.cols();
  if (q.first < 0 || q.end > T || q.first >= q.end) return out;
  const long from = std::max(0L, q.first - std::max(0L, q.offBefore));
  const long to = std::min(T, q.end + std::max(0L, q.offAfter));
  const float threshold = static_cast<float>(q.threshold);
  for (long u = 0; u < values.rows(); ++u) {
    float insideMin = std::numeric_limits<float>::infinity();
    float outsideMax = -std::numeric_limits<float>::infinity();
    bool matches = true;
    for (long t = from; t < to && matches; ++t) {
      const float v = values(u, t);
      const bool inside = t >= q.first && t < q.end;
      if (inside)
        matches = v >= threshold, insideMin = std::min(insideMin, v);
      else
        matches = v < threshold, outsideMax = std::max(outsideMax, v);
    }
    if (!matches) continue;
    const double margin = outsideMax == -std::numeric_limits<float>::infinity()
                              ? static_cast<double>(insideMin) - q.threshold
                              : static_cast<double>(insideMin) - static_cast<double>(outsideMax);
    out.push_back({static_cast<int>(u), margin});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SelectedUnit& a, const SelectedUnit& b) { return a.margin > b.margin; });
  return out;
}

}  // namespace lstmscope
