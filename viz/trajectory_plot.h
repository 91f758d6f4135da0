// The trajectories view's drawing, apart from its widget: where a step and a value fall on the plot, the
// layout of title, token strip, axes and legend, and painters for each layer of the picture. The widget
// and the exported figure both draw with these, the widget into images off the GUI thread and onto the
// screen, the figure as vectors into SVG and PDF (docs/APP.md, "Trajectories").
#pragma once

#include <QColor>
#include <QPolygonF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <vector>

#include "viz/heatmap_viewport.h"
#include "viz/trajectory_bundle.h"

class QFontMetrics;
class QPainter;

namespace lstmscope::viz {

class HeatmapData;

// Values and steps to plot coordinates. Step s's vertex sits at x value s, so the window [first, end)
// spans x values first .. end - 1 (the steps' tokens and ticks are under their vertices).
struct TrajectoryAxes {
  QRectF plot;
  double firstStep = 0, lastStep = 1;  // x values at the plot's left and right edges
  double low = -1, high = 1;           // values at the plot's bottom and top edges

  double xOf(double step) const { return plot.left() + (step - firstStep) * plot.width() / (lastStep - firstStep); }
  double yOf(double value) const { return plot.top() + (high - value) * plot.height() / (high - low); }
  double stepAt(double x) const { return firstStep + (x - plot.left()) * (lastStep - firstStep) / plot.width(); }
  double valueAt(double y) const { return high - (y - plot.top()) * (high - low) / plot.height(); }
  bool operator==(const TrajectoryAxes&) const = default;
};

// Where each part of the picture goes in `size`. The legend lists up to kLegendLines selected units;
// the token strip (figures only) names the steps above the plot.
struct TrajectoryLayout {
  QRectF title, tokenStrip, plot, yAxis, xAxis, legend;
  static TrajectoryLayout forSize(const QSizeF& size, const QFontMetrics& fm, bool legend, bool tokenStrip);
  static constexpr int kLegendLines = 10;
};

// How the layer's units are shown beneath the selected lines.
enum class TrajectoryBackground { EveryUnit, Envelope, Nothing };

// The bundle's request for axes' window and the plot's size in pixels.
TrajectoryBundleRequest bundleRequestFor(const TrajectoryAxes& axes, QSize pixels, int units,
                                         TrajectoryBackground background, double opacity);

// One unit's line as points on the plot: every step when the steps are wider than a pixel, else each
// pixel column's first, lowest, highest and last value in step order (no spike is lost). NaN steps break
// the line: each part is its own polygon.
std::vector<QPolygonF> unitLine(const HeatmapData& data, int unit, const TrajectoryAxes& axes, double pixelsPerPoint);

void paintAxes(QPainter& p, const TrajectoryLayout& layout, const TrajectoryAxes& axes, const QString& valueLabel);
// The brushed steps shaded, and the off margins before and after it as lighter bands with whiskers,
// as LSTMVis draws its hypothesis brush.
void paintBrush(QPainter& p, const TrajectoryAxes& axes, IndexSpan brush, long offBefore, long offAfter);
void paintThreshold(QPainter& p, const TrajectoryAxes& axes, double threshold);
// The selected units' lines in their legend colours, `boldUnit` twice as wide (-1 for none), the first
// on top: as vectors (SVG and PDF figures), or onto an image whose edges are `imageAxes`'s window with
// `pixelRatio` device pixels per unit of line width (the view's frame and PNG figures).
void drawSelectedLines(QImage& image, const HeatmapData& data, const TrajectoryAxes& imageAxes,
                       const std::vector<int>& units, int boldUnit, double pixelRatio);
void paintSelectedLines(QPainter& p, const HeatmapData& data, const TrajectoryAxes& axes, const std::vector<int>& units,
                        int boldUnit, double pixelsPerPoint);
// Every unit as a translucent vector line (or their envelope), for SVG and PDF figures.
void paintVectorBackground(QPainter& p, const HeatmapData& data, const TrajectoryAxes& axes,
                           TrajectoryBackground background, double opacity);
void paintLegend(QPainter& p, const QRectF& area, const std::vector<int>& units);
// Tokens above the plot at their steps' vertices, every k-th one so that they never overlap.
void paintStepTokens(QPainter& p, const QRectF& area, const TrajectoryAxes& axes, const QStringList& tokens);

QColor selectedLineColour(int k);  // the k-th selected unit's colour
constexpr double kTrajectoryLineWidth = 1.3;

}  // namespace lstmscope::viz
