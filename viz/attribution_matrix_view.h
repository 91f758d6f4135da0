// The all-targets matrix as a heatmap with tokens on both axes: row r is output step r's target, column t
// the attribution of input position t to it (lower-triangular for a forward model). Signed, diverging
// colours on a robust symmetric range with a colour bar. The matrix is the largest square that fits beside
// its labels and colour bar (square cells); labels are thinned to stay readable. On screen the cells are
// one image; exported figures draw them as vector rectangles (up to kMostVectorCells cells). Hovering
// names both tokens and the value; clicking a row makes that step the target.
#pragma once

#include <QImage>
#include <QStringList>
#include <QWidget>

#include "core/model/model.h"
#include "viz/colour_map.h"
#include "viz/exportable_view.h"

namespace lstmscope::viz {

class AttributionMatrixView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit AttributionMatrixView(QWidget* parent = nullptr);

  // values (K, K): row r is target step first + r, column c input position first + c; tokens are the
  // whole text's.
  void setMatrix(const Mat<double>& values, const QStringList& tokens, const QString& title, long first = 0);
  void clear(const QString& message);
  void setColourMap(const ColourMap& diverging);
  void setCurrentStep(long step);
  // The matrix on screen no longer belongs to the target (a new one is being computed): it is drawn faded
  // under `note`, on screen and in exports alike, until the next setMatrix or clear.
  void setOutdated(const QString& note);
  bool outdated() const { return !outdatedNote_.isEmpty(); }
  long size() const { return values_.rows(); }
  QString nothingToExport() const override;
  long firstStep() const { return first_; }
  long currentStep() const { return currentStep_; }
  QRect matrixRect() const { return plotRect(QWidget::size(), fontMetrics()); }  // widget coordinates
  QSize sizeHint() const override { return {560, 360}; }

  static constexpr long kMostVectorCells = 400 * 400;
  // (row, column) under a widget point, or (-1, -1).
  std::pair<long, long> cellAt(const QPoint& point) const;

  QString figureTitle() const override { return title_; }
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;  // the square matrix filling the width
  void writeCsv(QTextStream& out) const override;
  bool writeJson(QByteArray& out) const override;

 signals:
  void stepClicked(long step);
  void hovered(const QString& description);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  QRect plotRect(const QSize& size, const QFontMetrics& fm) const;
  QString heading() const;  // the title, the message before a result, or the outdated note with the title
  QRect headingRect(int width, const QFontMetrics& fm) const;
  // `marks`: the current target step's outline (always on screen, in figures when asked).
  void paint(QPainter& p, const QSize& size, bool vectorCells, FigureMarks marks);
  void paintCellRectangles(QPainter& p, const QRect& plot) const;
  void paintLabels(QPainter& p, const QRect& plot) const;
  void rebuildImage();

  Mat<double> values_;
  QStringList tokens_;
  QString title_, message_, outdatedNote_;
  ColourMap map_ = ColourMap::named(QStringLiteral("blue-red"));
  ColourScale scale_;
  QImage image_;
  long currentStep_ = -1;
  long first_ = 0;
};

}  // namespace lstmscope::viz
