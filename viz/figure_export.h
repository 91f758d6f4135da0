// Writes a view's figure as PNG, SVG or PDF, or its numbers as CSV. Files are written to a temporary
// file and renamed into place, so a failed export never leaves a half-written or lost file.
//
// Sizes (docs/APP.md, "Export"): a figure has one physical size whatever the format. Asked in pixels,
// a PNG has exactly those pixels and the physical size is pixels / dpi; asked in millimetres or inches,
// the PNG has size × dpi pixels. PDF and SVG pages have the physical size. Views draw in logical units
// of 1/96 inch, so fonts sized in points come out at that size on paper.
#pragma once

#include <QSize>
#include <QSizeF>
#include <QString>

#include "viz/exportable_view.h"

namespace lstmscope::viz {

enum class FigureUnit { Pixels, Millimetres, Inches };

struct FigureExportOptions {
  QSizeF size{1600, 900};  // in `unit`
  FigureUnit unit = FigureUnit::Pixels;
  int dpi = 300;  // PNG pixels per inch; for sizes in pixels it also sets the physical size
  // Views with a natural height (text, predictions) take the height their content needs at the width.
  bool fitHeight = false;
  FigureMarks marks = FigureMarks::Omitted;  // the current step and unit drawn into the figure
};

// How many inches one unit is (a pixel is 1/dpi inch).
double inchesPerFigureUnit(FigureUnit unit, int dpi);
// The figure's size in the views' logical units (1/96 inch).
QSize figureLogicalSize(const FigureExportOptions& options);
// The PNG's pixels: exactly the size asked in pixels, else the physical size at the resolution.
QSize figurePixelSize(const FigureExportOptions& options);
// "WxH" with an optional unit after either number: "1600x900" (pixels), "89x60mm", "3.5inx2.5"; H may be
// "auto" (fit the content): "89mmxauto". False when the text is not one of these.
bool parseFigureSize(const QString& text, FigureExportOptions& options);

// The format follows the file name's suffix: .png, .svg, .pdf, .csv or .json. Returns an empty string on
// success, else a message naming the file and the problem.
QString exportView(ExportableView& view, const QString& path, const FigureExportOptions& options = {});

}  // namespace lstmscope::viz
