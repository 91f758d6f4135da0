// LSTMVis's bundle: every unit of a layer as a faint line over the visible steps, drawn into an image off
// the GUI thread. Pure function of its arguments (the trajectories view draws the selected lines, axes,
// threshold and brush over it).
//
// Each unit's line (straight segments between step centres) covers, in every pixel column, the span of
// rows between its lowest and highest value within that column, so a line never breaks and a spike
// inside a wide column is never lost (docs/DEVELOPING.md, design rule 7). A pixel covered by n lines has
// opacity 1 - (1 - a)^n for a line opacity a: overlapping faint lines add up like translucent ink.
#pragma once

#include <QImage>
#include <QRgb>
#include <QSize>
#include <atomic>
#include <vector>

namespace lstmscope::viz {

class HeatmapData;

struct TrajectoryBundleRequest {
  QSize size;            // pixels of the plot area
  double firstStep = 0;  // the window in steps (fractional when zoomed in, as the heatmap's)
  double visibleSteps = 1;
  double low = -1, high = 1;  // values at the bottom and top pixel edges
  std::vector<int> units;     // the lines; unknown units are skipped
  double opacity = 0.1;       // of one line
  bool envelope = false;      // one band from the lowest to the highest line in each column instead
  QRgb colour = qRgb(70, 70, 70);
};

// LSTMVis's default opacity for n lines: about 1/√n, kept visible for a few and faint for thousands.
double bundleOpacityFor(int lines);

// A transparent image with the bundle (premultiplied ARGB); a null image when cancelled.
QImage renderTrajectoryBundle(const HeatmapData& data, const TrajectoryBundleRequest& request,
                              const std::atomic<bool>* cancelled = nullptr);

// How many of `request`'s lines cover each pixel (0 or 1 for an envelope) (column-major: x * height + y), for tests and
// hover.
std::vector<unsigned short> bundleCoverage(const HeatmapData& data, const TrajectoryBundleRequest& request,
                                           const std::atomic<bool>* cancelled = nullptr);

}  // namespace lstmscope::viz
