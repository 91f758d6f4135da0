// Measuring text as exported figures draw it: on a device of 96 logical units per inch (figure_export.h),
// whatever the screen's resolution. A view's figureHeightForWidth() measures with these so that the
// height it asks for is the height its drawing then needs.
#pragma once

#include <QFontMetrics>

class QPaintDevice;
class QPainter;

namespace lstmscope::viz {

const QPaintDevice* figureDevice();  // a 96-dpi image, for metrics only
QFontMetrics figureFontMetrics(const QFont& font);
// Whether `painter` draws into a vector document (SVG, PDF, print) rather than pixels: views then draw
// what they blit on screen as vector shapes.
bool paintsVectors(const QPainter& painter);

// The space between a figure's edge and what it draws, in figure units: the same in every view's figure.
constexpr int kFigureMargin = 8;

}  // namespace lstmscope::viz
