// Karpathy et al.'s view: the input text with each token's background coloured by one unit's value.
// Up/Down (or [ and ]) flip to the previous/next unit, Left/Right move the current step, PageUp/PageDown
// turn pages; a click picks a step.
#pragma once

#include <QStringList>
#include <QWidget>
#include <memory>
#include <utility>
#include <vector>

#include "viz/colour_map.h"
#include "viz/exportable_view.h"

namespace lstmscope::viz {

class HeatmapData;

class TextColourView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit TextColourView(QWidget* parent = nullptr);

  void setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens, const QString& quantityLabel);
  void setUnit(int unit);
  void setScale(const ColourScale& scale);
  void setCurrentStep(long step);  // scrolls so that it is visible
  void setSelection(long first, long end);
  // Steps that are labels rather than pieces of text (a CSV's numbers or dates) get a space between them.
  void setSeparateTokens(bool separate);
  int unit() const { return unit_; }
  long pageStart() const { return pageStart_; }
  // Where step `step` is drawn, in widget coordinates (empty when it is not on the page).
  QRect cellOf(long step) const;

  QString figureTitle() const override;
  // The figure shows the steps the page on screen shows, with a colour bar, without the keyboard hint.
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void unitStepped(int delta);
  void stepClicked(long step);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Cell {
    long step;
    QRect rect;
  };
  // Lays out the tokens of steps [first, end) in lines of `width`; returns the cells above `bottom`.
  std::vector<Cell> layoutCells(long first, long end, int width, int bottom, const QFontMetrics& fm) const;
  void fillPageBackwards();                   // after a jump near the end: no empty page below the last token
  std::pair<long, long> figureSteps() const;  // [first, end) of the page on screen
  void paintCells(QPainter& p, const std::vector<Cell>& cells, FigureMarks marks) const;
  void relayout();

  std::shared_ptr<const HeatmapData> data_;
  QStringList tokens_;
  QString quantityLabel_;
  ColourScale scale_;
  int unit_ = 0;
  long currentStep_ = -1;
  long selectionFirst_ = 0, selectionEnd_ = 0;
  long pageStart_ = 0;
  bool separate_ = false;
  std::vector<Cell> cells_;
};

}  // namespace lstmscope::viz
