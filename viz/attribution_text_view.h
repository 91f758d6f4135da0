// Attribution as coloured text: every token's background shows its attribution on a signed, diverging
// scale centred on zero, with a legend and the target named in the title. One row per method: several
// rows compare methods for the same target side by side, each on its own scale (methods differ in
// units). The target's step is outlined; clicking a token picks that step.
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

#include "viz/colour_map.h"
#include "viz/exportable_view.h"

namespace lstmscope::viz {

struct AttributionRow {
  QString label;               // "Integrated Gradients"
  std::vector<double> values;  // one per token
  QString note;                // "δ = 0.002 (0.4 % of ΔF)", "biases absorbed 21 %"
  bool warning = false;        // draw the note in red (large IG delta)
};

class AttributionTextView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit AttributionTextView(QWidget* parent = nullptr);

  // Shows tokens [first, end) (long texts: the context of the target); the CSV holds every token.
  void setContent(const QStringList& tokens, std::vector<AttributionRow> rows, const QString& title, long targetStep,
                  long first = 0, long end = -1);
  void clear(const QString& message);  // e.g. "computing…" or an error
  void setColourMap(const ColourMap& diverging);
  // Steps that are labels rather than pieces of text (a CSV's numbers or dates) get a space between them.
  void setSeparateTokens(bool separate);
  // What the boxed token is, for the figure's legend ("the target step" by default; "the last row the target's
  // step reads" when the tokens are rows of the input before a model's front end).
  void setBoxedMeaning(const QString& words);
  // Whether the positions are a table's rows: the rows' headers say "rows 0–99" rather than "tokens 0–99".
  void setPositionsAreRows(bool rows);
  const std::vector<AttributionRow>& rows() const { return rows_; }

  QString figureTitle() const override { return title_; }
  // The boxed target step is part of the figure, not a mark of where the user is.
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;
  bool writeJson(QByteArray& out) const override;  // step, token, one column per row
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  // Where the title and a row's note are drawn at the view's current size (for checking that they fit).
  QRect titleArea() const;
  QRect noteArea(int row) const;
  QString rowLabel(size_t row) const;  // the label drawn on a row's header: "LRP   (scale ±0.5; tokens 0–99)"

 signals:
  void stepClicked(long step);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  struct Cell {
    int row;
    long step;
    QRect rect;
  };
  // Places every row's header and tokens within `width`; returns the cells and the total height.
  // `device` is what the title's bold metrics are taken for (the screen or an export's painter device).
  int layout(int width, const QFontMetrics& fm, const QPaintDevice* device, std::vector<Cell>* cells,
             std::vector<int>* headerTops) const;
  QRect titleRect(int width, const QPaintDevice* device) const;  // wrapped to the width
  // Beside the row's label (its header line at `top`) when both fit, else wrapped below it.
  QRect noteRect(size_t row, int top, int width, const QFontMetrics& fm) const;
  void paint(QPainter& p, const QSize& size);

  QStringList tokens_;
  std::vector<AttributionRow> rows_;
  std::vector<double> ranges_;  // per row: the largest |value| (the scale is +-range)
  QString title_, message_;
  long targetStep_ = -1;
  long first_ = 0, end_ = 0;
  bool separate_ = false;
  QString boxedMeaning_ = tr("the target step");
  bool positionsAreRows_ = false;
  ColourMap map_ = ColourMap::named(QStringLiteral("blue-red"));
  std::vector<Cell> cells_;
};

}  // namespace lstmscope::viz
