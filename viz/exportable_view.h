// What every view offers for export: its figure drawn at any size into any painter (PNG, SVG or PDF),
// and the numbers behind it as CSV.
#pragma once

#include <QString>

class QByteArray;
class QPainter;
class QSize;
class QTextStream;

namespace lstmscope::viz {

class ExportableView {
 public:
  virtual ~ExportableView() = default;
  virtual QString figureTitle() const = 0;
  // Draws the whole figure (plot, axes, labels, colour bar) filling `size` logical pixels at the painter's
  // origin. Must not depend on the widget's current size.
  virtual void renderFigure(QPainter& painter, const QSize& size) = 0;
  // The figure's numbers, one row per plotted item, with a header row.
  virtual void writeCsv(QTextStream& out) const = 0;
  // The numbers as JSON, for views that have a natural document (attribution); false: not offered.
  virtual bool writeJson(QByteArray& out) const {
    (void)out;
    return false;
  }
};

}  // namespace lstmscope::viz
