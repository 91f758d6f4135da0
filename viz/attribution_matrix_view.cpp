#include "viz/attribution_matrix_view.h"

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
#include "viz/heatmap_figure.h"

namespace lstmscope::viz {
namespace {

constexpr int kMargin = 8;
constexpr int kColourBarWidth = 70;

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
  rebuildImage();
}

void AttributionMatrixView::clear(const QString& message) {
  values_.resize(0, 0);
  image_ = {};
  message_ = message;
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

QRect AttributionMatrixView::plotRect(const QSize& size, const QFontMetrics& fm) const {
  const int label = fm.horizontalAdvance(QStringLiteral("000000")) + 6;
  const int top = kMargin + fm.height() + 6 + label;
  const int side = std::max(10, std::min(size.width() - label - kMargin - kColourBarWidth - kMargin,
                                         size.height() - top - kMargin - fm.height()));
  return QRect(label + kMargin, top, side, side);
}

std::pair<long, long> AttributionMatrixView::cellAt(const QPoint& point) const {
  const QRect plot = plotRect(QWidget::size(), fontMetrics());
  if (values_.size() == 0 || !plot.contains(point)) return {-1, -1};
  const long n = values_.rows();
  const long r = std::min(n - 1, static_cast<long>((point.y() - plot.top()) * n / plot.height()));
  const long c = std::min(n - 1, static_cast<long>((point.x() - plot.left()) * n / plot.width()));
  return {r, c};
}

void AttributionMatrixView::paint(QPainter& p, const QSize& size) {
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  const QFontMetrics fm = p.fontMetrics();
  p.setPen(Qt::black);
  p.drawText(QRect(kMargin, kMargin, size.width() - 2 * kMargin, fm.height() + 2), Qt::AlignLeft,
             values_.size() ? title_ : message_);
  if (values_.size() == 0) return;
  const QRect plot = plotRect(size, fm);
  p.drawImage(plot, image_);
  p.setPen(Qt::darkGray);
  p.drawRect(plot.adjusted(0, 0, -1, -1));
  // Token labels on both axes where a cell is tall enough for text, else every k-th step number.
  const long n = values_.rows();
  const double cell = static_cast<double>(plot.height()) / n;
  const bool words = cell >= fm.height() - 1;
  const long every = words ? 1 : std::max<long>(1, static_cast<long>(std::ceil((fm.height() + 4) / cell)));
  for (long k = 0; k < n; k += every) {
    const QString label = words ? tokens_.value(static_cast<qsizetype>(first_ + k)) : QString::number(first_ + k);
    const double centre = (k + 0.5) * cell;
    p.drawText(QRectF(kMargin, plot.top() + centre - fm.height() / 2.0, plot.left() - kMargin - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, label);
    p.save();
    p.translate(plot.left() + centre, plot.top() - 4);
    p.rotate(-90);
    p.drawText(QRectF(0, -fm.height() / 2.0, plot.top(), fm.height()), Qt::AlignLeft | Qt::AlignVCenter, label);
    p.restore();
  }
  p.drawText(QRect(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), Qt::AlignCenter,
             tr("input position →   (rows: target step ↓)"));
  if (currentStep_ >= first_ && currentStep_ < first_ + n) {
    p.setPen(QPen(QColor(220, 0, 0), 1.5));
    p.drawRect(QRectF(plot.left(), plot.top() + (currentStep_ - first_) * cell, plot.width(), std::max(cell, 1.0)));
  }
  paintColourBar(p, QRect(plot.right() + 10, plot.top(), kColourBarWidth, plot.height()), scale_,
                 tr("gradient × input"));
}

void AttributionMatrixView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint(p, QWidget::size());
}

void AttributionMatrixView::renderFigure(QPainter& painter, const QSize& size) {
  paint(painter, size);
}

void AttributionMatrixView::writeCsv(QTextStream& out) const {
  out << "target_step,target_token";
  for (long c = 0; c < values_.cols(); ++c) out << ",input_" << first_ + c;
  out << '\n';
  for (long r = 0; r < values_.rows(); ++r) {
    out << first_ + r << ',' << csvText(tokens_.value(static_cast<qsizetype>(first_ + r)));
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
  const QJsonObject doc{{QStringLiteral("title"), title_},
                        {QStringLiteral("first_step"), static_cast<qint64>(first_)},
                        {QStringLiteral("tokens"), QJsonArray::fromStringList(tokens_.mid(first_, values_.rows()))},
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
