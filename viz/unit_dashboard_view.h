// The unit dashboard (docs/APP.md "Unit dashboard"): one unit over a whole corpus — the histogram of its
// values and the contexts where it is highest and lowest, each token's background the unit's value there
// (the heatmap's colours), the extreme token framed. A click on a context asks to jump there. Exports as
// a figure and as CSV (the histogram's bins, then every context).
#pragma once

#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "viz/colour_map.h"
#include "viz/exportable_view.h"

namespace lstmscope::viz {

struct UnitContextRow {
  QString label;  // e.g. "0.993 · step 12,345 · doc 3"
  long step = 0;  // the extreme step (of the trace)
  float value = 0;
  QStringList tokens;         // displayed (whitespace made visible)
  QStringList text;           // the text they stand for (for CSV)
  std::vector<float> values;  // the unit's value at each token
  int at = 0;                 // tokens[at] is the extreme step
};

struct UnitDashboardData {
  QString title;  // "Unit 17 · layer 0 fwd · c"
  QString stats;  // "1,234,567 values · mean 0.12 · std 0.3 · min -1 · max 1"
  double binStart = 0, binWidth = 0;
  std::vector<int64_t> counts;  // the histogram's bins (empty: no finite value)
  double mean = 0;
  ColourScale scale;  // the token backgrounds
  std::vector<UnitContextRow> highest, lowest;
};

class UnitDashboardView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit UnitDashboardView(QWidget* parent = nullptr);

  void setData(UnitDashboardData data);
  void setMessage(const QString& message);  // instead of a dashboard: "computing…", "no trace"
  const UnitDashboardData* data() const { return hasData_ ? &data_ : nullptr; }
  // Where things are drawn at the widget's width (for tests and clicks): the histogram's plot area,
  // and the context row that holds a point (-1: none; highest first, then lowest).
  QRect histogramRect() const;
  int contextAt(const QPoint& point) const;
  QRect contextRect(int index) const;
  QSize sizeHint() const override;
  int heightForWidth(int width) const override;
  bool hasHeightForWidth() const override { return true; }

  QString figureTitle() const override;
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void contextClicked(long step);
  void contextHovered(QString description);  // empty when leaving the contexts

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  struct Layout;
  Layout layoutFor(int width, const QFontMetrics& fm) const;
  void paint(QPainter& p, int width, const QFontMetrics& fm) const;
  void paintHistogram(QPainter& p, const QRect& plot, const QFontMetrics& fm) const;
  void paintContext(QPainter& p, const UnitContextRow& row, const QRect& rect, const QFontMetrics& fm) const;
  const UnitContextRow* contextByIndex(int index) const;

  UnitDashboardData data_;
  bool hasData_ = false;
  QString message_;
};

}  // namespace lstmscope::viz
