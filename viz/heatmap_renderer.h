// Renders the visible window of a heatmap into a QImage through a colour lookup table. Pure function of
// its arguments: runs on any thread (the heatmap view calls it off the GUI thread).
#pragma once

#include <Eigen/Core>
#include <QImage>
#include <vector>

#include "viz/colour_map.h"
#include "viz/heatmap_viewport.h"

namespace lstmscope::viz {

class HeatmapData;

struct HeatmapFrameRequest {
  HeatmapViewport viewport;
  std::vector<int> rowUnits;  // display row r shows unit rowUnits[r] (sorting and filtering)
  ColourScale scale;
};

// One pixel per (column, row) of the viewport. A pixel that covers several steps or rows shows the
// extreme (min or max) of the values it covers that lies farther from the scale's centre, so a single
// strong activation never disappears when zoomed out. Pixels outside the data are `background`.
QImage renderHeatmap(const HeatmapData& data, const HeatmapFrameRequest& request,
                     QRgb background = qRgb(236, 236, 236));

// Every unit's min and max over steps [first, end) (NaN wins), from whole pyramid bins where they fit and
// raw steps at the ragged edges: O(log(end - first)) columns read, not end - first (the trajectories'
// y range and bundle use it too). `mayBuild` false (the GUI thread): raw steps until the pyramid exists.
void minMaxOverSteps(const HeatmapData& data, long first, long end, Eigen::VectorXf& lo, Eigen::VectorXf& hi,
                     bool mayBuild = true);

// The value a pixel shows, by the same rule (for tests and for hover on aggregated pixels).
float aggregatedValue(const HeatmapData& data, const HeatmapFrameRequest& request, int x, int y);

}  // namespace lstmscope::viz
