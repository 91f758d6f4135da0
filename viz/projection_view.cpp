#include "viz/projection_view.h"

#include <QGraphicsSimpleTextItem>
#include <QTextStream>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <limits>

#include "core/analysis/projection.h"
#include "viz/chart_figure.h"
#include "viz/chart_markers.h"
#include "viz/csv.h"
#include "viz/token_text.h"

namespace lstmscope::viz {

ProjectionView::ProjectionView(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  chart()->legend()->setVisible(false);
  chart()->setMargins(QMargins(4, 4, 4, 4));
  path_ = new QLineSeries(chart());
  path_->setPen(QPen(QColor(160, 160, 160, 90), 1));
  auto* x = new QValueAxis(chart());
  auto* y = new QValueAxis(chart());
  chart()->addAxis(x, Qt::AlignBottom), chart()->addAxis(y, Qt::AlignLeft);
  chart()->addSeries(path_);
  path_->attachAxis(x), path_->attachAxis(y);
  points_ = new ChartMarkers(chart(), path_, QColor(70, 130, 180), Qt::transparent, 4);
  selected_ = new ChartMarkers(chart(), path_, QColor(230, 160, 0), Qt::black, 9);
  currentMark_ = new ChartMarkers(chart(), path_, QColor(220, 0, 0), Qt::white, 14);
  points_->setInteractive(true);
  connect(points_, &ChartMarkers::hovered, this, [this](const QPointF& p) { emit stepHovered(nearestStep(p)); });
  connect(points_, &ChartMarkers::clicked, this, [this](const QPointF& p) { emit stepClicked(nearestStep(p)); });
  connect(chart(), &QChart::plotAreaChanged, this, [this] { placeLabels(); });
  setMinimumSize(240, 120);
}

void ProjectionView::setProjection(std::shared_ptr<const Projection> projection, const QStringList& tokens,
                                   const QString& what) {
  projection_ = std::move(projection);
  tokens_ = tokens;
  QList<QPointF> points;
  const long T = projection_ ? projection_->coordinates.cols() : 0;
  stride_ = std::max(1L, (T + kMaxPoints - 1) / kMaxPoints);
  const bool twoD = projection_ && projection_->coordinates.rows() >= 2;
  for (long t = 0; t < T; t += stride_)
    points.append(QPointF(projection_->coordinates(0, t), twoD ? projection_->coordinates(1, t) : 0.0));
  path_->replace(points);
  points_->setPoints(points);
  auto* x = static_cast<QValueAxis*>(chart()->axes(Qt::Horizontal).first());
  auto* y = static_cast<QValueAxis*>(chart()->axes(Qt::Vertical).first());
  if (projection_ && T > 0) {
    const auto explained = [&](int k) {
      return k < projection_->variance.size() && projection_->totalVariance > 0
                 ? 100.0 * projection_->variance(k) / projection_->totalVariance
                 : 0.0;
    };
    x->setTitleText(tr("PC1 (%1%)").arg(explained(0), 0, 'f', 1));
    y->setTitleText(tr("PC2 (%1%)").arg(explained(1), 0, 'f', 1));
    for (QValueAxis* axis : {x, y}) axis->setTickType(QValueAxis::TicksDynamic), axis->setTickAnchor(0);
    const auto row0 = projection_->coordinates.row(0);
    // A degenerate spread (one step, or a constant state) gets a unit-wide window, not a microscopic one.
    const double pad0 = row0.maxCoeff() - row0.minCoeff() < 1e-6 ? 1.0 : 0.05 * (row0.maxCoeff() - row0.minCoeff());
    x->setRange(row0.minCoeff() - pad0, row0.maxCoeff() + pad0);
    x->setTickInterval(niceDecimalStep((x->max() - x->min()) / 6));
    if (twoD) {
      const auto row1 = projection_->coordinates.row(1);
      const double pad1 = row1.maxCoeff() - row1.minCoeff() < 1e-6 ? 1.0 : 0.05 * (row1.maxCoeff() - row1.minCoeff());
      y->setRange(row1.minCoeff() - pad1, row1.maxCoeff() + pad1);
      y->setTickInterval(niceDecimalStep((y->max() - y->min()) / 5));
    }
  }
  chart()->setTitle(tr("PCA of %1").arg(what) + (stride_ > 1 ? tr(" (every %1th step)").arg(stride_) : QString()));
  updateMarks();
}

void ProjectionView::setCurrentStep(long step) {
  current_ = step;
  updateMarks();
}

void ProjectionView::setSelection(IndexSpan steps) {
  selection_ = steps;
  updateMarks();
}

long ProjectionView::nearestStep(const QPointF& value) const {
  if (!projection_) return -1;
  const auto& c = projection_->coordinates;
  long best = -1;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (long t = 0; t < c.cols(); t += stride_) {
    const double dx = c(0, t) - value.x(), dy = c.rows() > 1 ? c(1, t) - value.y() : 0.0;
    if (dx * dx + dy * dy < bestDistance) bestDistance = dx * dx + dy * dy, best = t;
  }
  return best;
}

void ProjectionView::updateMarks() {
  QList<QPointF> selected, current;
  if (projection_) {
    const auto& c = projection_->coordinates;
    const auto at = [&](long t) { return QPointF(c(0, t), c.rows() > 1 ? c(1, t) : 0.0); };
    // A long brush is marked at the drawn points' spacing, like the path itself.
    for (long t = std::max(0L, selection_.first); t < std::min(selection_.end, c.cols()); t += stride_)
      selected.append(at(t));
    if (current_ >= 0 && current_ < c.cols()) current.append(at(current_));
  }
  selected_->setPoints(selected);
  currentMark_->setPoints(current);
  placeLabels();
}

void ProjectionView::placeLabels() {
  for (QGraphicsSimpleTextItem* item : labels_) delete item;
  labels_.clear();
  if (!projection_) return;
  const auto& c = projection_->coordinates;
  std::vector<long> steps;
  for (long t = std::max(0L, selection_.first); t < std::min(selection_.end, c.cols()); ++t) steps.push_back(t);
  if (steps.size() > static_cast<size_t>(kMaxLabels)) steps.resize(kMaxLabels);
  if (current_ >= 0 && current_ < c.cols()) steps.push_back(current_);
  for (const long t : steps) {
    auto* item = new QGraphicsSimpleTextItem(tokens_.value(static_cast<qsizetype>(t)), chart());
    item->setPos(chart()->mapToPosition(QPointF(c(0, t), c.rows() > 1 ? c(1, t) : 0.0)) + QPointF(5, -16));
    item->setBrush(t == current_ ? QColor(200, 0, 0) : QColor(40, 40, 40));
    item->setZValue(100);  // above the series
    labels_.push_back(item);
  }
}

void ProjectionView::renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) {
  // Without marks the figure leaves the current step out (its red point and label); the brush stays.
  const long current = current_;
  if (marks == FigureMarks::Omitted) current_ = -1, updateMarks();
  renderChart(*this, painter, size, [this] { placeLabels(); });
  if (current_ != current) current_ = current, updateMarks();
}

void ProjectionView::writeCsv(QTextStream& out) const {
  out << "step,token,pc1,pc2\n";
  if (!projection_) return;
  const auto& c = projection_->coordinates;
  for (long t = 0; t < c.cols(); ++t) {
    out << t << ',' << csvToken(tokens_.value(static_cast<qsizetype>(t))) << ',' << QString::number(c(0, t), 'g', 12)
        << ',' << QString::number(c.rows() > 1 ? c(1, t) : 0.0, 'g', 12) << '\n';
  }
}

}  // namespace lstmscope::viz
