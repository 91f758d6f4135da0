// LSTMVis's match view: each match as a row of tokens (context left and right, the run in bold on a
// frame), each token's background saying how many of the selected units are on there, and the trace's
// meta tracks as thin coloured strips beneath. A click on a row asks to jump there. Exports as a figure
// (the rows on screen) and as CSV (every row).
#pragma once

#include <QScrollArea>
#include <QStringList>
#include <vector>

#include "viz/exportable_view.h"
#include "viz/meta_strips.h"

namespace lstmscope::viz {

struct MatchRow {
  QString label;                 // e.g. "step 12,345 (8) · doc 3"
  long start = 0, length = 0;    // the run's steps (of the trace, or of the text)
  QString document;              // its document's name (empty for a text)
  std::vector<int> units;        // the units on throughout the run (S2)
  QStringList tokens;            // display text of the context and the run (a space or newline made visible)
  QStringList text;              // the same tokens as the text they stand for (for CSV)
  int runFirst = 0, runEnd = 0;  // the run: tokens [runFirst, runEnd)
  std::vector<int> onCount;      // per token: how many selected units are on
  int intersection = 0, unionSize = 0;
  std::vector<std::vector<float>> meta;  // per meta track, one value per token (NaN: none)
};

class MatchRowsView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit MatchRowsView(QWidget* parent = nullptr);

  // `selected`: how many units the query selected (the on-count's full scale).
  void setRows(std::vector<MatchRow> rows, int selected, std::vector<MetaTrackStyle> meta);
  void setMessage(const QString& message);  // instead of rows: "no match", "searching…"
  const std::vector<MatchRow>& rows() const { return rows_; }
  int rowAt(const QPoint& point) const;  // -1 outside the rows
  QRect rowRect(int row) const;
  QSize sizeHint() const override;

  QString figureTitle() const override;
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void rowClicked(int row);
  void rowHovered(QString description);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  int rowHeight(const QFontMetrics& fm) const;
  int headerHeight(const QFontMetrics& fm) const;  // the meta tracks' legend above the rows
  int rowsWidth(const QFontMetrics& fm) const;     // of the widest row, label included
  QString metaLegend() const;
  void paintRows(QPainter& p, int width, int firstRow, int lastRow, const QFontMetrics& fm) const;

  std::vector<MatchRow> rows_;
  std::vector<MetaTrackStyle> meta_;
  int selected_ = 1;
  QString message_;
};

}  // namespace lstmscope::viz
