// Layout and painting of everything around the heatmap's pixels: token strip, unit and step axes, colour
// bar, selection and highlights. Shared by the live widget (which draws a cached frame) and by export
// (which renders a fresh frame at the figure's size), so both look the same.
#pragma once

#include <QFont>
#include <QRect>
#include <QStringList>
#include <vector>

#include "viz/heatmap_renderer.h"
#include "viz/meta_strips.h"

class QFontMetrics;
class QPainter;

namespace lstmscope::viz {

struct HeatmapDecor {
  QString title;                      // e.g. "layer 1 · fwd · c"
  QString valueLabel;                 // colour bar label
  QStringList tokens;                 // each step's display text
  IndexSpan selection;                // brushed steps, empty for none
  long currentStep = -1;              // -1 for none
  long currentRow = -1;               // display row of the current unit, -1 for none
  std::vector<char> highlightedRows;  // per display row: one of the selected units
  long hoveredRow = -1;               // a unit under the pointer in another view (widget only)
  std::vector<MetaStrip> meta;        // meta tracks, drawn as strips under the tokens
  long firstStepNumber = 0;           // the step number of data column 0 (a map of steps 80-91 starts at 80)
};

// Exported figures name their axes ("step", "unit"); the widget leaves the titles out to save room.
enum class AxisTitles { Omitted, Drawn };

struct HeatmapLayout {
  QRect title, tokens, meta, plot, unitAxis, stepAxis, colourBar;  // meta: empty without meta tracks
  QRect unitTitle, stepTitle;                                      // empty without axis titles
  static HeatmapLayout forSize(const QSize& size, const QFontMetrics& metrics,
                               AxisTitles axisTitles = AxisTitles::Omitted, int metaStrips = 0);
};

void paintTokenStrip(QPainter& p, const QRect& area, const HeatmapViewport& vp, const HeatmapDecor& decor);
void paintUnitAxis(QPainter& p, const QRect& area, const HeatmapViewport& vp, const std::vector<int>& rowUnits,
                   const HeatmapDecor& decor);
// Step numbers count from decor.firstStepNumber.
void paintStepAxis(QPainter& p, const QRect& area, const HeatmapViewport& vp, const HeatmapDecor& decor);
// `text` in `font` if it fits in `width` pixels; else in a smaller font (down to 70 %), cut with "…" only
// when even that is too wide.
struct FittedText {
  QFont font;
  QString text;
};
FittedText fitText(QFont font, const QString& text, int width);
// The title centred in `area`, fitted (fitText): a long title is never clipped at both ends.
void paintTitle(QPainter& p, const QRect& area, const QString& title);
void paintAxisTitles(QPainter& p, const HeatmapLayout& layout);
void paintColourBar(QPainter& p, const QRect& area, const ColourScale& scale, const QString& label);
// When cells are large enough to hold a number (zoomed in on both axes), each visible cell's value,
// in black or white, whichever reads better on its colour.
void paintCellValues(QPainter& p, const QRect& plot, const HeatmapViewport& vp, const HeatmapData& data,
                     const std::vector<int>& rowUnits, const ColourScale& scale);
// Selection shading, and the current step line and current unit outline in `map`'s mark colour, over the plot.
void paintPlotOverlays(QPainter& p, const QRect& plot, const HeatmapViewport& vp, const HeatmapDecor& decor,
                       const ColourMap& map);

// A label's centre on an axis from `top` to `bottom`, moved inside so that a label `height` tall is not cut
// at the ends (the first and last rows' labels); unchanged for centres outside or an axis too short.
double keptInside(double centre, double top, double bottom, double height);

// How different `colour` looks on `reference` (e.g. a mark on a cell): CIE94 ΔE (graphic arts weights) in
// CIELAB. About 2 is just noticeable; above 25 reads as a clearly different colour.
double colourDifference(QRgb colour, QRgb reference);
// The colour for marks drawn over a map's cells (the current unit and step): of a few saturated colours,
// black and white, the one farthest from every colour of the map and from the NaN colour, so that the
// mark stands out on any cell (red on viridis, magenta on blue-red and greys, cyan on magma).
QColor markColourFor(const ColourMap& map);

// The whole figure at `size`, rendering the heatmap pixels synchronously for that size. `request`'s
// viewport gives the data window; its pixel size is replaced by the figure's plot area.
void paintHeatmapFigure(QPainter& p, const QSize& size, const HeatmapData& data, HeatmapFrameRequest request,
                        const HeatmapDecor& decor);

}  // namespace lstmscope::viz
