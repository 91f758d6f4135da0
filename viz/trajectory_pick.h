// Which line of the trajectories is under the pointer: what hover highlights and a click makes current.
#pragma once

#include <QPointF>
#include <limits>
#include <vector>

#include "viz/trajectory_plot.h"

namespace lstmscope::viz {

class HeatmapData;

struct LineUnderPointer {
  int unit = -1;   // -1: no line within reach
  long step = -1;  // the nearest vertex; in a column of many steps, the one whose value is nearest
  float value = std::numeric_limits<float>::quiet_NaN();  // the unit's value at that step
  bool operator==(const LineUnderPointer&) const = default;
};

enum class LinesToPick { All, OnTopOnly };

// The unit whose line passes nearest to `position` within `reach` pixels, among every unit of `data` (or
// only those of `onTop`, when nothing else is drawn).
// In the pointer's pixel column a line covers the span between its values at the column's edges and at
// the steps inside it, so a steep line or a spike is found where it is drawn. A line of `onTop` (the
// selected units, drawn in colour over the bundle) wins against a faint line less than `reach` / 3 nearer.
LineUnderPointer lineUnderPointer(const HeatmapData& data, const TrajectoryAxes& axes, QPointF position, double reach,
                                  const std::vector<int>& onTop = {}, LinesToPick pick = LinesToPick::All);

}  // namespace lstmscope::viz
