#include "viz/attribution_matrix_view.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <vector>

#include "viz/csv.h"
#include "viz/figure_metrics.h"
#include "viz/heatmap_figure.h"
#include "viz/token_text.h"

namespace lstmscope::viz {
namespace {

constexpr int kGap = 4;
constexpr int kColourBarGap = 12;

QString colourBarLabel() {
  return AttributionMatrixView::tr("gradient × input");
}

// Room for the colour bar: the bar, its tick labels and its title.
int colourBarWidth(const QFontMetrics& fm) {
  return std::max(fm.horizontalAdvance(colourBarLabel()), 14 + 6 + fm.horizontalAdvance(QStringLiteral("-0.000123")));
}

QString rowAxisTitle() {
  return AttributionMatrixView::tr("target step");
}

QString columnAxisTitle() {
  return AttributionMatrixView::tr("input position");
}

// Token labels are cut to this width so that one long word does not squeeze the matrix.
int tokenLabelWidth(const QFontMetrics& fm) {
  return fm.horizontalAdvance(QStringLiteral("MMMM"));
}

}  // namespace

AttributionMatrixView::AttributionMatrixView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(120, 60);
}

void AttributionMatrixView::setMatrix(const Mat<double>& values, const QStringList& tokens, const QString& title,
                                      long first) {
  values_ = values;
  first_ = first;
  tokens_ = tokens;
  title_ = title;
  message_.clear();
  outdatedNote_.clear();
  rebuildImage();
}

QString AttributionMatrixView::nothingToExport() const {
  if (values_.size() > 0) return {};
  return message_.isEmpty() ? tr("the all-targets matrix has not been computed (open its tab)") : message_;
}

void AttributionMatrixView::clear(const QString& message) {
  values_.resize(0, 0);
  image_ = {};
  message_ = message;
  outdatedNote_.clear();
  update();
}

void AttributionMatrixView::setColourMap(const ColourMap& diverging) {
  map_ = diverging;
  rebuildImage();
}

void AttributionMatrixView::setCurrentStep(long step) {
  currentStep_ = step;
  update();
}

void AttributionMatrixView::setOutdated(const QString& note) {
  if (values_.size() == 0) return;
  outdatedNote_ = note;
  update();
}

void AttributionMatrixView::rebuildImage() {
  std::vector<float> finite;
  finite.reserve(static_cast<size_t>(values_.size()));
  for (long k = 0; k < values_.size(); ++k) finite.push_back(static_cast<float>(values_.data()[k]));
  const auto range = robustSymmetricRange(finite.data(), static_cast<long>(finite.size()), 0.995);
  scale_ = ColourScale(map_, range.first, range.second);
  image_ = QImage(static_cast<int>(values_.cols()), static_cast<int>(values_.rows()), QImage::Format_RGB32);
  for (long r = 0; r < values_.rows(); ++r) {
    auto* line = reinterpret_cast<QRgb*>(image_.scanLine(static_cast<int>(r)));
    for (long c = 0; c < values_.cols(); ++c) line[c] = scale_.colourOf(static_cast<float>(values_(r, c)));
  }
  update();
}

QString AttributionMatrixView::heading() const {
  return values_.size() == 0       ? message_
         : outdatedNote_.isEmpty() ? title_
                                   : outdatedNote_ + QStringLiteral(" — ") + title_;
}

QRect AttributionMatrixView::headingRect(int width, const QFontMetrics& fm) const {
  // Wrapped rather than elided (a column-wide figure has room for a line of the title), at most 3 lines.
  const int textWidth = std::max(1, width - 2 * kFigureMargin);
  const int height =
      fm.boundingRect(QRect(0, 0, textWidth, 10000), Qt::AlignLeft | Qt::TextWordWrap, heading()).height();
  return QRect(kFigureMargin, kGap, textWidth, std::min(height, 3 * fm.height()));
}

QRect AttributionMatrixView::plotRect(const QSize& size, const QFontMetrics& fm) const {
  // Row labels on the left (step numbers or tokens), the title above, column labels below, the colour bar
  // and the axis names on the right; the matrix is the largest square in what is left.
  const int rowLabels =
      std::max(fm.horizontalAdvance(QString::number(first_ + std::max(0L, values_.rows() - 1))), tokenLabelWidth(fm)) +
      kGap;
  const int top = kGap + headingRect(size.width(), fm).height() + kGap;
  const int titleRoom = fm.height() + kGap;  // the axes' titles: turned on the left, below the column labels
  const int bottom = kGap + fm.height() + kGap + titleRoom;
  const int right = kColourBarGap + colourBarWidth(fm) + kFigureMargin;
  const int side = std::max(
      10, std::min(size.width() - kFigureMargin - titleRoom - rowLabels - right, size.height() - top - bottom));
  return QRect(kFigureMargin + titleRoom + rowLabels, top, side, side);
}

int AttributionMatrixView::figureHeightForWidth(int width) const {
  // As tall as the square matrix that fills the width, in the font figures start with.
  const QFontMetrics fm = figureFontMetrics(QApplication::font());
  const QRect wide = plotRect(QSize(width, 100000), fm);
  return wide.bottom() + 1 + kGap + fm.height() + kGap;
}

std::pair<long, long> AttributionMatrixView::cellAt(const QPoint& point) const {
  const QRect plot = matrixRect();
  if (values_.size() == 0 || !plot.contains(point)) return {-1, -1};
  const long n = values_.rows();
  const long r = std::min(n - 1, static_cast<long>((point.y() - plot.top()) * n / plot.height()));
  const long c = std::min(n - 1, static_cast<long>((point.x() - plot.left()) * n / plot.width()));
  return {r, c};
}

void AttributionMatrixView::paintCellRectangles(QPainter& p, const QRect& plot) const {
  // One rectangle per run of equal colours in a row (the zeros above the diagonal are one run). Each
  // reaches a little into its neighbours, painted over by them, so that viewers show no hairline seams.
  const long n = values_.rows();
  const double cell = static_cast<double>(plot.width()) / n, overlap = std::min(0.5, cell / 4);
  p.save();
  p.setClipRect(plot);
  p.setRenderHint(QPainter::Antialiasing, false);
  p.setPen(Qt::NoPen);
  for (long r = 0; r < n; ++r) {
    const auto* line = reinterpret_cast<const QRgb*>(image_.constScanLine(static_cast<int>(r)));
    for (long c = 0; c < n;) {
      long end = c + 1;
      while (end < n && line[end] == line[c]) ++end;
      p.fillRect(QRectF(plot.left() + c * cell, plot.top() + r * cell, (end - c) * cell + overlap, cell + overlap),
                 QColor(line[c]));
      c = end;
    }
  }
  p.restore();
}

void AttributionMatrixView::paintLabels(QPainter& p, const QRect& plot) const {
  const QFontMetrics fm = p.fontMetrics();
  const long n = values_.rows();
  const double cell = static_cast<double>(plot.height()) / n;
  const auto token = [&](long k, int width) {
    return fm.elidedText(tokens_.value(static_cast<qsizetype>(first_ + k)), Qt::ElideRight, width);
  };
  // Rows: each token when a cell is tall enough for text, else step numbers at a readable spacing.
  const bool rowWords = cell >= fm.height() - 1;
  const long rowEvery = rowWords ? 1 : static_cast<long>(niceTickStep(cell, fm.height() + 4));
  const QRectF rowLabels(kFigureMargin + fm.height() + kGap, plot.top(),
                         plot.left() - kFigureMargin - fm.height() - 2 * kGap, plot.height());
  for (long k = 0; k < n; k += rowEvery) {
    const QString label = rowWords ? token(k, static_cast<int>(rowLabels.width())) : QString::number(first_ + k);
    // Centred on its row but kept beside the matrix: the first row's label is not cut by the title.
    const double centre = keptInside(plot.top() + (k + 0.5) * cell, plot.top(), plot.bottom() + 1, fm.height());
    p.drawText(QRectF(rowLabels.left(), centre - fm.height() / 2.0, rowLabels.width(), fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, label);
  }
  // Columns, below the matrix: tokens when a cell is as wide as a character, else step numbers.
  const bool columnWords = cell >= fm.horizontalAdvance(QLatin1Char('M')) + 2;
  const int numberWidth = fm.horizontalAdvance(QString::number(first_ + n - 1));
  const long columnEvery = columnWords ? 1 : static_cast<long>(niceTickStep(cell, numberWidth + 8));
  const int labelTop = plot.bottom() + 1 + kGap;
  for (long k = 0; k < n; k += columnEvery) {
    const double centre = plot.left() + (k + 0.5) * cell;
    const double width = columnWords ? cell : numberWidth + 8;
    const QString label = columnWords ? token(k, static_cast<int>(cell)) : QString::number(first_ + k);
    p.drawText(QRectF(centre - width / 2, labelTop, width, fm.height()), Qt::AlignCenter, label);
  }
}

void AttributionMatrixView::paint(QPainter& p, const QSize& size, bool vectorCells, FigureMarks marks) {
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  const QFontMetrics fm = p.fontMetrics();
  p.setPen(Qt::black);
  p.drawText(headingRect(size.width(), fm), Qt::AlignLeft | Qt::TextWordWrap, heading());
  if (values_.size() == 0) return;
  const QRect plot = plotRect(size, fm);
  if (vectorCells)
    paintCellRectangles(p, plot);
  else
    p.drawImage(plot, image_);
  p.setPen(Qt::darkGray);
  p.setBrush(Qt::NoBrush);
  p.drawRect(plot.adjusted(0, 0, -1, -1));
  paintLabels(p, plot);
  const long n = values_.rows();
  const double cell = static_cast<double>(plot.height()) / n;
  if (marks == FigureMarks::Drawn && currentStep_ >= first_ && currentStep_ < first_ + n) {
    p.setPen(QPen(markColourFor(map_), 1.5));
    p.drawRect(QRectF(plot.left(), plot.top() + (currentStep_ - first_) * cell, plot.width(), std::max(cell, 1.0)));
  }
  if (!outdatedNote_.isEmpty()) p.fillRect(plot, QColor(255, 255, 255, 170));
  const int barLeft = plot.right() + 1 + kColourBarGap;
  paintColourBar(p, QRect(barLeft, plot.top(), colourBarWidth(fm), plot.height()), scale_, colourBarLabel());
  p.setPen(Qt::black);
  // Axis titles: the columns' under their labels, the rows' turned to read along the left edge.
  p.setPen(Qt::black);
  const int titleTop = plot.bottom() + 1 + kGap + fm.height() + kGap;
  p.drawText(QRect(plot.left(), titleTop, plot.width(), fm.height()), Qt::AlignHCenter, columnAxisTitle());
  p.save();
  p.translate(kFigureMargin, plot.center().y());
  p.rotate(-90);
  p.drawText(QRect(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignHCenter | Qt::AlignTop, rowAxisTitle());
  p.restore();
}

void AttributionMatrixView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint(p, QWidget::size(), false, FigureMarks::Drawn);
}

void AttributionMatrixView::renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) {
  paint(painter, size, values_.size() <= kMostVectorCells, marks);
}

void AttributionMatrixView::writeCsv(QTextStream& out) const {
  out << "target_step,target_token";
  for (long c = 0; c < values_.cols(); ++c) out << ",input_" << first_ + c;
  out << '\n';
  for (long r = 0; r < values_.rows(); ++r) {
    out << first_ + r << ',' << csvToken(tokens_.value(static_cast<qsizetype>(first_ + r)));
    for (long c = 0; c < values_.cols(); ++c) out << ',' << QString::number(values_(r, c), 'g', 17);
    out << '\n';
  }
}

bool AttributionMatrixView::writeJson(QByteArray& out) const {
  QJsonArray rows;
  for (long r = 0; r < values_.rows(); ++r) {
    QJsonArray row;
    for (long c = 0; c < values_.cols(); ++c) row.append(values_(r, c));
    rows.append(row);
  }
  const QJsonObject doc{
      {QStringLiteral("title"), title_},
      {QStringLiteral("first_step"), static_cast<qint64>(first_)},
      {QStringLiteral("tokens"), QJsonArray::fromStringList(plainTokens(tokens_.mid(first_, values_.rows())))},
      {QStringLiteral("values"), rows}};
  out = QJsonDocument(doc).toJson();
  return true;
}

void AttributionMatrixView::mousePressEvent(QMouseEvent* e) {
  const auto [row, column] = cellAt(e->position().toPoint());
  if (row >= 0) emit stepClicked(first_ + row);
}

void AttributionMatrixView::mouseMoveEvent(QMouseEvent* e) {
  const auto [row, column] = cellAt(e->position().toPoint());
  if (row < 0) return;
  emit hovered(tr("target step %1 “%2” ← input %3 “%4”: %5")
                   .arg(first_ + row)
                   .arg(tokens_.value(static_cast<qsizetype>(first_ + row)))
                   .arg(first_ + column)
                   .arg(tokens_.value(static_cast<qsizetype>(first_ + column)))
                   .arg(values_(row, column), 0, 'g', 6));
}

}  // namespace lstmscope::viz
