#include "viz/trajectory_chart.h"

#include <QMouseEvent>
#include <QTextStream>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "viz/chart_figure.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/palette.h"
#include "viz/token_text.h"

namespace lstmscope::viz {
namespace {

constexpr double kGrabPixels = 6;
constexpr double kLineWidth = 1.3;  // the current unit's line is twice as wide

QLineSeries* decorationLine(QChart* chart, const QPen& pen) {
  auto* line = new QLineSeries(chart);
  line->setPen(pen);
  return line;
}

}  // namespace

TrajectoryChart::TrajectoryChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  chart()->setMargins(QMargins(4, 4, 4, 4));
  chart()->legend()->setAlignment(Qt::AlignRight);
  axisX_ = new QValueAxis(chart());
  axisY_ = new QValueAxis(chart());
  axisX_->setTitleText(tr("step"));
  axisX_->setLabelFormat(QStringLiteral("%d"));
  axisX_->setTickType(QValueAxis::TicksDynamic);
  axisY_->setTickType(QValueAxis::TicksDynamic);
  chart()->addAxis(axisX_, Qt::AlignBottom);
  chart()->addAxis(axisY_, Qt::AlignLeft);
  thresholdLine_ = decorationLine(chart(), QPen(QColor(200, 0, 0), 1.5, Qt::DashLine));
  brushLeft_ = decorationLine(chart(), QPen(QColor(230, 160, 0), 2));
  brushRight_ = decorationLine(chart(), QPen(QColor(230, 160, 0), 2));
  for (QLineSeries* s : {thresholdLine_, brushLeft_, brushRight_}) {
    chart()->addSeries(s);
    s->attachAxis(axisX_);
    s->attachAxis(axisY_);
    chart()->legend()->markers(s).first()->setVisible(false);
  }
  // The view paints the background and the bundle beneath the scene (drawBackground).
  chart()->setBackgroundVisible(false);
  connect(&bundleWatcher_, &QFutureWatcher<QImage>::finished, this, &TrajectoryChart::onBundleRendered);
  // The chart lays itself out lazily: the plot area the bundle must fill is known only then.
  connect(chart(), &QChart::plotAreaChanged, this, &TrajectoryChart::requestBundle);
  setMinimumHeight(160);
}

void TrajectoryChart::setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens, const QString& title,
                              const QString& valueLabel) {
  data_ = std::move(data);
  tokens_ = tokens;
  // Lines of units the new data lacks (a smaller model, before its caller sets the units) would be read
  // out of bounds: they are dropped until setUnits().
  const int units = data_ ? static_cast<int>(data_->units()) : 0;
  std::erase_if(units_, [units](int u) { return u >= units; });
  if (currentUnit_ >= units) currentUnit_ = -1;
  axisY_->setTitleText(valueLabel);
  chart()->setTitle(tr("Selected units: %1 over time").arg(title));
  rebuild();
}

void TrajectoryChart::setUnits(const std::vector<int>& units, int currentUnit) {
  std::vector<int> lines = units;
  // The current unit is always drawn, even when it is not part of the selection.
  if (currentUnit >= 0 && std::find(lines.begin(), lines.end(), currentUnit) == lines.end())
    lines.insert(lines.begin(), currentUnit);
  // Picking another step calls this too: only rebuild the series when the lines change.
  if (lines == units_ && currentUnit == currentUnit_ && !lines_.empty()) return;
  units_ = std::move(lines);
  currentUnit_ = currentUnit;
  rebuild();
}

void TrajectoryChart::setWindow(long first, long end) {
  if (first == first_ && end == end_) return;
  first_ = first, end_ = end;
  rebuild();
}

void TrajectoryChart::setBrush(IndexSpan steps) {
  brush_ = steps;
  placeDecorations();
}

void TrajectoryChart::setThreshold(double threshold) {
  threshold_ = threshold;
  placeDecorations();
}

void TrajectoryChart::rebuild() {
  for (QLineSeries* s : lines_) chart()->removeSeries(s), delete s;
  lines_.clear();
  if (!data_) return;
  const long first = std::clamp(first_, 0L, data_->steps()), end = std::clamp(end_, first, data_->steps());
  const long n = end - first, bin = std::max(1L, (n + kMaxPoints - 1) / kMaxPoints);
  double lo = threshold_, hi = threshold_;
  const int count = std::min<int>(static_cast<int>(units_.size()), kMaxLines);
  for (int k = 0; k < count; ++k) {
    const int unit = units_[static_cast<size_t>(k)];
    QList<QPointF> points;
    points.reserve(bin == 1 ? n : 2 * (n / bin + 1));
    for (long s = first; s < end; s += bin) {
      // A min/max envelope keeps every spike of a decimated line.
      const auto values = data_->values().row(unit).segment(s, std::min(bin, end - s));
      const float a = values.minCoeff(), b = values.maxCoeff();
      lo = std::min<double>(lo, a), hi = std::max<double>(hi, b);
      if (bin == 1) {
        points.append(QPointF(s, a));
      } else {
        points.append(QPointF(s, a));
        points.append(QPointF(s + bin / 2.0, b));
      }
    }
    auto* line = new QLineSeries(chart());
    line->setName(tr("unit %1").arg(unit));
    line->setPen(QPen(categoricalColour(k), unit == currentUnit_ ? 2 * kLineWidth : kLineWidth));
    line->replace(points);
    chart()->addSeries(line);
    line->attachAxis(axisX_);
    line->attachAxis(axisY_);
    if (k >= 10) chart()->legend()->markers(line).first()->setVisible(false);
    lines_.push_back(line);
  }
  if (n > 0) {  // the bundle: every unit's values in the window, from the pyramid once a render built it
    Eigen::VectorXf unitLo, unitHi;
    minMaxOverSteps(*data_, first, end, unitLo, unitHi, /*mayBuild=*/false);
    for (Eigen::Index u = 0; u < unitLo.size(); ++u)
      if (std::isfinite(unitLo(u)) && std::isfinite(unitHi(u)))
        lo = std::min<double>(lo, unitLo(u)), hi = std::max<double>(hi, unitHi(u));
  }
  const double pad = std::max(1e-3, 0.05 * (hi - lo));
  axisY_->setRange(lo - pad, hi + pad);
  axisX_->setRange(first, std::max<double>(first + 1, end - 1));
  // Ticks at round numbers (0.25, 0.5 ... and steps 2060, 2070 ...), whatever the window.
  const QRectF plot = chart()->plotArea();
  axisX_->setTickAnchor(0);
  axisX_->setTickInterval(niceTickStep(std::max(100.0, plot.width()) / std::max<double>(1, end - first), 70));
  axisY_->setTickAnchor(0);
  axisY_->setTickInterval(niceDecimalStep((hi - lo + 2 * pad) / 4));
  axisY_->setLabelFormat(QStringLiteral("%.2g"));
  placeDecorations();
  requestBundle();
}

void TrajectoryChart::placeDecorations() {
  const double x0 = axisX_->min(), x1 = axisX_->max(), y0 = axisY_->min(), y1 = axisY_->max();
  if (threshold_ < y0 || threshold_ > y1) {
    axisY_->setRange(std::min(y0, threshold_), std::max(y1, threshold_));
    requestBundle();  // the values' scale changed
  }
  thresholdLine_->replace(QList<QPointF>{{x0, threshold_}, {x1, threshold_}});
  const bool brushed = brush_.size() > 0;
  brushLeft_->replace(brushed ? QList<QPointF>{{double(brush_.first), y0}, {double(brush_.first), y1}}
                              : QList<QPointF>{});
  brushRight_->replace(brushed ? QList<QPointF>{{brush_.end - 1.0, y0}, {brush_.end - 1.0, y1}} : QList<QPointF>{});
}

TrajectoryBundleRequest TrajectoryChart::bundleRequest(const QSize& pixels) const {
  TrajectoryBundleRequest r;
  r.size = pixels;
  // The chart puts step s at x value s; the bundle puts step k's vertex at k + 0.5.
  r.firstStep = axisX_->min() + 0.5, r.visibleSteps = axisX_->max() - axisX_->min();
  r.low = axisY_->min(), r.high = axisY_->max();
  const int units = data_ ? static_cast<int>(data_->units()) : 0;
  r.units.resize(static_cast<size_t>(units));
  std::iota(r.units.begin(), r.units.end(), 0);
  r.opacity = bundleOpacityFor(units);
  r.colour = qRgb(60, 60, 60);
  return r;
}

void TrajectoryChart::requestBundle() {
  if (!data_ || data_->steps() == 0) return void(bundle_ = QImage());
  if (bundleWatcher_.isRunning()) {  // its axes are stale: stop it, and render again when it ends
    bundleWanted_ = true;
    if (bundleCancel_) bundleCancel_->store(true);
    return;
  }
  const QRectF plot = chart()->plotArea();
  const double dpr = devicePixelRatioF();
  const QSize pixels(std::max(1, static_cast<int>(std::lround(plot.width() * dpr))),
                     std::max(1, static_cast<int>(std::lround(plot.height() * dpr))));
  bundleCancel_ = std::make_shared<std::atomic<bool>>(false);
  bundleWatcher_.setFuture(
      QtConcurrent::run([data = data_, request = bundleRequest(pixels), cancel = bundleCancel_, dpr] {
        QImage image = renderTrajectoryBundle(*data, request, cancel.get());
        image.setDevicePixelRatio(dpr);
        return image;
      }));
}

void TrajectoryChart::onBundleRendered() {
  QImage image = bundleWatcher_.result();
  if (bundleWanted_) {
    bundleWanted_ = false;
    requestBundle();
    return;
  }
  bundle_ = std::move(image);
  viewport()->update();
}

void TrajectoryChart::drawBackground(QPainter* painter, const QRectF& rect) {
  painter->fillRect(rect, Qt::white);
  // A bundle for an older plot area is stretched until the new one arrives (as the heatmap shows its
  // last frame).
  if (!bundle_.isNull()) painter->drawImage(chart()->mapRectToScene(chart()->plotArea()), bundle_);
}

void TrajectoryChart::mousePressEvent(QMouseEvent* e) {
  const QPointF value = chart()->mapToValue(e->position());
  const QPointF onLine = chart()->mapToPosition(QPointF(value.x(), threshold_));
  draggingThreshold_ = std::abs(onLine.y() - e->position().y()) <= kGrabPixels;
  if (!draggingThreshold_ && chart()->plotArea().contains(e->position())) emit stepClicked(std::lround(value.x()));
}

void TrajectoryChart::mouseMoveEvent(QMouseEvent* e) {
  const QPointF value = chart()->mapToValue(e->position());
  const QPointF onLine = chart()->mapToPosition(QPointF(value.x(), threshold_));
  setCursor(draggingThreshold_ || std::abs(onLine.y() - e->position().y()) <= kGrabPixels ? Qt::SizeVerCursor
                                                                                          : Qt::ArrowCursor);
  if (!draggingThreshold_) return;
  setThreshold(value.y());
  emit thresholdDragged(threshold_);
}

void TrajectoryChart::mouseReleaseEvent(QMouseEvent*) {
  draggingThreshold_ = false;
}

void TrajectoryChart::renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) {
  // Without marks the current unit is drawn like the others (bold only shows where the user is).
  std::vector<QPen> pens;
  for (QLineSeries* line : lines_) pens.push_back(line->pen());
  if (marks == FigureMarks::Omitted)
    for (QLineSeries* line : lines_) {
      QPen pen = line->pen();
      pen.setWidthF(kLineWidth);
      line->setPen(pen);
    }
  painter.save();
  renderWithTokenStrip(painter, size);
  painter.restore();
  for (size_t k = 0; k < lines_.size(); ++k) lines_[k]->setPen(pens[k]);
}

void TrajectoryChart::renderWithTokenStrip(QPainter& painter, const QSize& size) {
  // The title and a strip of tokens above the chart (the chart's own title is left out meanwhile), so
  // that a reader sees which text the lines run over.
  const QFontMetrics fm = painter.fontMetrics();
  const int titleHeight = fm.height() + 6, stripHeight = fm.height() + 8;
  const QString title = chart()->title();
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  painter.setPen(Qt::black);
  painter.drawText(QRect(0, 2, size.width(), titleHeight), Qt::AlignHCenter | Qt::AlignTop, title);
  chart()->setTitle(QString());
  QRectF plot;
  painter.save();
  painter.translate(0, titleHeight + stripHeight);
  renderChart(*this, painter, QSize(size.width(), std::max(1, size.height() - titleHeight - stripHeight)), [&] {
    if (!plot.isNull()) return;
    plot = chart()->plotArea();  // the first call has the figure's geometry: draw the bundle beneath it
    if (!data_ || data_->steps() == 0 || plot.isEmpty()) return;
    const double scale = std::max(2.0, painter.worldTransform().m11());  // sharp in PDF and SVG too
    const QImage image = renderTrajectoryBundle(
        *data_, bundleRequest(QSize(std::max(1, static_cast<int>(std::lround(plot.width() * scale))),
                                    std::max(1, static_cast<int>(std::lround(plot.height() * scale))))));
    painter.drawImage(plot, image);
  });
  painter.restore();
  chart()->setTitle(title);
  paintTokenStrip(painter, plot.translated(0, titleHeight + stripHeight), titleHeight);
}

void TrajectoryChart::paintTokenStrip(QPainter& p, const QRectF& plot, double top) const {
  const double x0 = axisX_->min(), x1 = axisX_->max();
  if (tokens_.isEmpty() || !(x1 > x0) || plot.isEmpty()) return;
  const QFontMetrics fm = p.fontMetrics();
  const double perStep = plot.width() / (x1 - x0);
  // Every k-th token (k a nice number) so that labels never overlap, judged by a wide character.
  const long every = static_cast<long>(niceTickStep(perStep, fm.horizontalAdvance(QStringLiteral("MM")) + 4));
  p.save();
  p.setPen(QColor(60, 60, 60));
  const long first = static_cast<long>(std::ceil(x0)), last = static_cast<long>(std::floor(x1));
  for (long s = first - first % every; s <= last; s += every) {
    if (s < first || s >= tokens_.size()) continue;
    const double x = plot.left() + (s - x0) * perStep;
    const QString text = fm.elidedText(tokens_[static_cast<qsizetype>(s)], Qt::ElideRight,
                                       static_cast<int>(std::max(perStep * every - 2, 8.0)));
    p.drawText(QPointF(x - fm.horizontalAdvance(text) / 2.0, top + fm.ascent() + 2), text);
    p.drawLine(QPointF(x, plot.top() - 5), QPointF(x, plot.top() - 2));
  }
  p.restore();
}

void TrajectoryChart::writeCsv(QTextStream& out) const {
  out << "step";
  const int count = std::min<int>(static_cast<int>(units_.size()), kMaxLines);
  for (int k = 0; k < count; ++k) out << ",unit_" << units_[static_cast<size_t>(k)];
  out << '\n';
  if (!data_) return;
  for (long s = std::max(0L, first_); s < std::min(end_, data_->steps()); ++s) {
    out << s;
    for (int k = 0; k < count; ++k)
      out << ',' << QString::number(data_->values()(units_[static_cast<size_t>(k)], s), 'g', 9);
    out << '\n';
  }
}

}  // namespace lstmscope::viz
