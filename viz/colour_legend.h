// A horizontal colour bar for figures whose colour carries a value (the text colouring, attribution text):
// vector rectangles, tick values at both ends and the centre, and a caption naming the quantity.
#pragma once

#include <QString>
#include <Qt>

class QFontMetrics;
class QPainter;
class QRect;

namespace lstmscope::viz {

class ColourMap;
class ColourScale;

// The map's colours as one vector rectangle each across `bar` (left to right, or bottom to top when
// vertical), each reaching half a band into the next so that viewers show no seams. (An image would be
// resampled in PDF viewers, even blurred by JPEG.)
void paintColourBands(QPainter& p, const QRect& bar, const ColourMap& map, Qt::Orientation orientation);

// The height a legend needs in the font of `metrics`.
int colourLegendHeight(const QFontMetrics& metrics);
// Draws the legend at the top left of `area`: a bar of a third of its width (at most 200 logical units), its ticks
// below it and `caption` to its right (elided to the area).
void paintColourLegend(QPainter& p, const QRect& area, const ColourScale& scale, const QString& caption);

}  // namespace lstmscope::viz
