// Writes a view's figure as PNG, SVG or PDF, or its numbers as CSV. Files are written to a temporary
// file and renamed into place, so a failed export never leaves a half-written or lost file.
#pragma once

#include <QSize>
#include <QString>

#include "viz/exportable_view.h"

namespace lstmscope::viz {

struct FigureExportOptions {
  QSize size{1600, 900};  // logical size of the figure (points for PDF and SVG, pixels at 96 dpi for PNG)
  int dpi = 300;          // PNG resolution: the image has size * dpi / 96 pixels
};

// The format follows the file name's suffix: .png, .svg, .pdf or .csv. Returns an empty string on
// success, else a message naming the file and the problem.
QString exportView(ExportableView& view, const QString& path, const FigureExportOptions& options = {});

}  // namespace lstmscope::viz
