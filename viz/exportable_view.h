// What every view offers for export: its figure drawn at any size into any painter (PNG, SVG or PDF),
// and the numbers behind it as CSV.
#pragma once

#include <QString>

class QByteArray;
class QPainter;
class QSize;
class QTextStream;

namespace lstmscope::viz {

// Whether a figure shows where the user is (the current step and unit): off by default, since a figure
// for a paper shows the data and what was selected, not the cursor.
enum class FigureMarks { Omitted, Drawn };

class ExportableView {
 public:
  virtual ~ExportableView() = default;
  virtual QString figureTitle() const = 0;
  // Draws the whole figure (plot, axes, labels, colour bar) filling `size` logical units (1/96 inch) at
  // the painter's origin. Must not depend on the widget's current size.
  virtual void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) = 0;
  // The height the figure's content needs at `width` (text that wraps, a list of predictions); 0 for
  // figures that fill whatever size they are given.
  virtual int figureHeightForWidth(int width) const {
    (void)width;
    return 0;
  }
  // The figure's numbers, one row per plotted item, with a header row. Tokens are written as the text
  // they stand for (a space, a newline), not as the symbols that make them visible on screen.
  virtual void writeCsv(QTextStream& out) const = 0;
  // The numbers as JSON, for views that have a natural document (attribution); false: not offered.
  virtual bool writeJson(QByteArray& out) const {
    (void)out;
    return false;
  }
  // Why the view has nothing to export yet (a result not computed); empty when it has something. An export
  // then fails with this reason instead of writing an empty figure or table.
  virtual QString nothingToExport() const { return {}; }
};

}  // namespace lstmscope::viz
