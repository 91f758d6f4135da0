// A horizontal colour bar for figures whose colour carries a value (the text colouring, attribution text):
// vector rectangles, tick values at both ends and the centre, and a caption naming the quantity.
#pragma once

#include <QString>

class QFontMetrics;
class QPainter;
class QRect;

namespace lstmscope::viz {

class ColourScale;

// The height a legend needs in the font of `metrics`.
int colourLegendHeight(const QFontMetrics& metrics);
// Draws the legend at the top left of `area`: a bar of a third of its width (at most 200 logical units), its ticks
// below it and `caption` to its right (elided to the area).
void paintColourLegend(QPainter& p, const QRect& area, const ColourScale& scale, const QString& caption);

}  // namespace lstmscope::viz
