#include "viz/trajectory_chart.h"

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>

#include "viz/figure_metrics.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/line_spans.h"

namespace lstmscope::viz {
namespace {

constexpr double kGrabPixels = 6;   // how near the threshold line a press grabs it
constexpr double kReachPixels = 8;  // how near a line the pointer must be to hover it
// Translucent: zoomed out, a jagged line covers a wide band of every column, which must not hide the
// selected lines beneath it.
const QColor kHoverLineColour(20, 20, 20, 160);
const QColor kHoverColour(20, 20, 20);  // the hovered vertex and its label

}  // namespace

// Everything the image depends on: a request equal to the one shown is not rendered again.
struct TrajectoryChart::ImageJob {
  std::shared_ptr<const HeatmapData> data;
  TrajectoryAxes axes;  // logical units, the plot at the origin
  std::vector<int> lines;
  int boldUnit = -1;
  TrajectoryBackground background = TrajectoryBackground::EveryUnit;
  double opacity = 0;
  double devicePixelRatio = 1;
  bool operator==(const ImageJob&) const = default;

  QImage render(const std::atomic<bool>* cancelled) const {
    const QSize pixels(std::max(1, static_cast<int>(std::lround(axes.plot.width() * devicePixelRatio))),
                       std::max(1, static_cast<int>(std::lround(axes.plot.height() * devicePixelRatio))));
    QImage image = renderTrajectoryBundle(
        *data, bundleRequestFor(axes, pixels, static_cast<int>(data->units()), background, opacity), cancelled);
    if (image.isNull() || (cancelled && cancelled->load())) return {};
    drawSelectedLines(image, *data, axes, lines, boldUnit, devicePixelRatio);
    image.setDevicePixelRatio(devicePixelRatio);
    return image;
  }
};

TrajectoryChart::TrajectoryChart(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumHeight(160);
  connect(&watcher_, &QFutureWatcher<QImage>::finished, this, &TrajectoryChart::onImageRendered);
}

TrajectoryChart::~TrajectoryChart() {
  if (cancel_) cancel_->store(true);
  watcher_.waitForFinished();
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
  if (highlightedUnit_ >= units) highlightedUnit_ = -1;
  hoverLine_ = {};  // drawn from the old data
  setHovered({});   // the other views' marks of the hovered unit go too
  valueLabel_ = valueLabel;
  title_ = tr("Trajectories: %1").arg(title);
  updateWindowRange();
  updateAxes();
}

void TrajectoryChart::setUnits(const std::vector<int>& units, int currentUnit) {
  std::vector<int> lines = units;
  // The current unit is always drawn, even when it is not part of the selection.
  if (currentUnit >= 0 && std::find(lines.begin(), lines.end(), currentUnit) == lines.end())
    lines.insert(lines.begin(), currentUnit);
  const int available = data_ ? static_cast<int>(data_->units()) : 0;
  std::erase_if(lines, [available](int u) { return u < 0 || u >= available; });
  if (lines == units_ && currentUnit == currentUnit_) return;  // picking another step calls this too
  units_ = std::move(lines);
  currentUnit_ = currentUnit;
  if (background_ == TrajectoryBackground::Nothing) updateWindowRange();
  updateAxes();
}

void TrajectoryChart::setWindow(long first, long end) {
  if (first == first_ && end == end_) return;
  first_ = first, end_ = end;
  updateWindowRange();
  updateAxes();
}

void TrajectoryChart::setBrush(IndexSpan steps, long offBefore, long offAfter) {
  brush_ = steps, offBefore_ = offBefore, offAfter_ = offAfter;
  update();
}

void TrajectoryChart::setThreshold(double threshold) {
  if (!std::isfinite(threshold)) return;
  threshold_ = threshold;
  updateAxes();
}

void TrajectoryChart::setQuantityRange(double low, double high) {
  if (!(high > low) || !std::isfinite(low) || !std::isfinite(high)) return;
  quantityLow_ = low, quantityHigh_ = high;
  if (!fitToWindow_ || !windowRange_) updateAxes();  // a fitted axis without lines to fit shows this range
}

void TrajectoryChart::setBackground(TrajectoryBackground background) {
  background_ = background;
  updateWindowRange();
  updateAxes();  // asks for a new picture even when the axes stay
}

void TrajectoryChart::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  requestImage();
}

double TrajectoryChart::effectiveOpacity() const {
  const int units = data_ ? static_cast<int>(data_->units()) : 0;
  return bundleRequestFor(axes_, QSize(1, 1), units, background_, opacity_).opacity;
}

void TrajectoryChart::setFitToWindow(bool fit) {
  fitToWindow_ = fit;
  updateAxes();
}

void TrajectoryChart::setHighlightedUnit(int unit) {
  if (unit == highlightedUnit_) return;
  highlightedUnit_ = unit;
  update();
}

std::vector<int> TrajectoryChart::drawnLines() const {
  return {units_.begin(), units_.begin() + std::min<long>(static_cast<long>(units_.size()), kMaxLines)};
}

void TrajectoryChart::updateWindowRange() {
  windowRange_.reset();
  windowRangeExact_ = true;
  if (!data_) return;
  const long first = std::clamp(first_, 0L, data_->steps()), end = std::clamp(end_, first, data_->steps());
  if (end <= first) return;
  const Mat<float>& values = data_->values();
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  const auto include = [&](float v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  // About a million values read on the GUI thread at most (~1 ms).
  constexpr long kBudget = 1 << 20;
  if (background_ == TrajectoryBackground::Nothing) {
    for (const int unit : drawnLines())
      for (long s = first; s < end; ++s) include(values(unit, s));
  } else if (data_->pyramidBuilt() || (end - first) * data_->units() <= kBudget) {
    // Every unit's extremes from the pyramid (never built on the GUI thread) or the raw steps.
    Eigen::VectorXf unitLo, unitHi;
    minMaxOverSteps(*data_, first, end, unitLo, unitHi, /*mayBuild=*/false);
    for (Eigen::Index u = 0; u < unitLo.size(); ++u)
      if (std::isfinite(unitLo(u)) && std::isfinite(unitHi(u))) include(unitLo(u)), include(unitHi(u));
  } else {
    // A long window before the first render built the pyramid: every k-th step now, exact when the render
    // arrives (onImageRendered), instead of tens of milliseconds of the GUI thread.
    const long stride = ((end - first) * data_->units() + kBudget - 1) / kBudget;
    for (long s = first; s < end; s += stride)
      for (Eigen::Index u = 0; u < values.rows(); ++u) include(values(u, s));
    windowRangeExact_ = false;
  }
  if (lo <= hi) windowRange_ = std::pair<double, double>(lo, hi);
}

void TrajectoryChart::updateAxes() {
  layout_ = TrajectoryLayout::forSize(size(), fontMetrics(), !units_.empty(), false);
  TrajectoryAxes axes;
  axes.plot = layout_.plot;
  const long steps = data_ ? data_->steps() : 0;
  const long first = std::clamp(first_, 0L, std::max(0L, steps - 1)), end = std::clamp(end_, first, steps);
  axes.firstStep = static_cast<double>(first), axes.lastStep = std::max<double>(first + 1, end - 1);
  const bool fitted = fitToWindow_ && windowRange_;
  double lo = fitted ? windowRange_->first : quantityLow_, hi = fitted ? windowRange_->second : quantityHigh_;
  // The threshold is always in view: it is what the user drags.
  lo = std::min(lo, threshold_), hi = std::max(hi, threshold_);
  const double pad = std::max(1e-3, (fitted ? 0.05 : 0.02) * (hi - lo));
  axes.low = lo - pad, axes.high = hi + pad;
  axes_ = axes;
  requestImage();
  update();
}

TrajectoryChart::ImageJob TrajectoryChart::currentJob() const {
  ImageJob job;
  job.data = data_;
  job.axes = axes_;
  job.axes.plot = QRectF(QPointF(0, 0), axes_.plot.size());
  job.lines = drawnLines();
  job.boldUnit = currentUnit_;
  job.background = background_;
  job.opacity = opacity_;
  job.devicePixelRatio = devicePixelRatioF();
  return job;
}

bool TrajectoryChart::bundleShown() const {
  return !image_.isNull() && shown_ && *shown_ == currentJob();
}

void TrajectoryChart::requestImage() {
  if (!isVisible()) return;  // a hidden dock renders nothing; showEvent asks again
  if (!data_ || data_->steps() == 0 || axes_.plot.width() < 1 || axes_.plot.height() < 1) {
    image_ = QImage(), shown_.reset();
    wanted_ = false;
    if (cancel_) cancel_->store(true);  // whatever it renders is not wanted any more
    return;
  }
  ImageJob job = currentJob();
  if (watcher_.isRunning()) {
    // A render for other axes or lines is stale: stop it, and render again when it ends.
    if (running_ && *running_ == job) return;
    wanted_ = true;
    if (cancel_) cancel_->store(true);
    return;
  }
  if (shown_ && *shown_ == job && !image_.isNull()) return;
  running_ = std::make_unique<ImageJob>(std::move(job));
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  watcher_.setFuture(QtConcurrent::run([job = *running_, cancel = cancel_] { return job.render(cancel.get()); }));
}

void TrajectoryChart::onImageRendered() {
  QImage image = watcher_.result();
  // Even a render overtaken by a newer request is nearer than the last one shown, if it is of this data.
  if (!image.isNull() && running_ && running_->data == data_) {
    image_ = std::move(image);
    shown_ = std::move(running_);
    update();
  }
  running_.reset();
  // A range sampled from a long window (before the pyramid existed) is made exact now that the render
  // has built it.
  if (!windowRangeExact_ && data_ && data_->pyramidBuilt()) {
    updateWindowRange();
    updateAxes();
  }
  if (std::exchange(wanted_, false)) requestImage();
}

void TrajectoryChart::resizeEvent(QResizeEvent*) {
  updateAxes();
}

void TrajectoryChart::showEvent(QShowEvent*) {
  requestImage();
}

void TrajectoryChart::paintEvent(QPaintEvent*) {
  QElapsedTimer clock;
  clock.start();
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  p.setPen(QColor(60, 60, 60));
  p.drawText(layout_.title, Qt::AlignCenter,
             fontMetrics().elidedText(title_, Qt::ElideRight, static_cast<int>(layout_.title.width())));
  paintBrush(p, axes_, brush_, offBefore_, offAfter_);
  paintAxes(p, layout_, axes_, valueLabel_);
  // The last image of this data (another quantity's picture would show the wrong lines until the new
  // one arrives, as the heatmap never shows another quantity's frame).
  if (!image_.isNull() && shown_ && shown_->data == data_) {
    // The last image, stretched to where its window and values lie now until the new one arrives.
    const TrajectoryAxes& was = shown_->axes;
    const QRectF target(QPointF(axes_.xOf(was.firstStep), axes_.yOf(was.high)),
                        QPointF(axes_.xOf(was.lastStep), axes_.yOf(was.low)));
    p.save();
    p.setClipRect(axes_.plot);
    p.drawImage(target, image_);
    p.restore();
  }
  paintThreshold(p, axes_, threshold_);
  if (data_ && highlightedUnit_ >= 0 && highlightedUnit_ != hovered_.unit) paintHover(p, highlightedUnit_, {});
  if (data_ && hovered_.unit >= 0) paintHover(p, hovered_.unit, hovered_);
  paintLegend(p, layout_.legend, units_);
  lastPaintMs_ = clock.nsecsElapsed() / 1e6;
}

void TrajectoryChart::paintHover(QPainter& p, int unit, const LineUnderPointer& at) {
  p.save();
  p.setClipRect(axes_.plot);
  p.setRenderHint(QPainter::Antialiasing);
  // Drawn by the span renderer into an image kept while the line and axes stay (QPainter's stroke of a
  // wide line of 2,000 jagged steps took ~30 ms of the GUI thread).
  const double dpr = devicePixelRatioF();
  if (hoverLine_.unit != unit || hoverLine_.data != data_.get() || !(hoverLine_.axes == axes_) ||
      hoverLine_.image.devicePixelRatio() != dpr) {
    hoverLine_.image = QImage(std::max(1, static_cast<int>(std::lround(axes_.plot.width() * dpr))),
                              std::max(1, static_cast<int>(std::lround(axes_.plot.height() * dpr))),
                              QImage::Format_ARGB32_Premultiplied);
    hoverLine_.image.fill(Qt::transparent);
    drawLineSpans(hoverLine_.image, data_->values(), unit, axes_.firstStep, axes_.lastStep, axes_.low, axes_.high,
                  qPremultiply(kHoverLineColour.rgba()), 2.2 * dpr);
    hoverLine_.image.setDevicePixelRatio(dpr);
    hoverLine_.unit = unit, hoverLine_.data = data_.get(), hoverLine_.axes = axes_;
  }
  p.drawImage(axes_.plot, hoverLine_.image);
  p.setPen(QPen(kHoverColour, 2));
  if (at.step >= 0 && std::isfinite(at.value)) {
    const QPointF vertex(axes_.xOf(static_cast<double>(at.step)), axes_.yOf(at.value));
    p.setBrush(Qt::white);
    p.drawEllipse(vertex, 3.5, 3.5);
    // The unit and its value beside the pointer, kept inside the plot.
    const QString text = tr("unit %1   %2").arg(unit).arg(QString::number(at.value, 'g', 4));
    const QFontMetrics fm = fontMetrics();
    QRectF box(pointer_ + QPointF(12, -fm.height() - 10), QSizeF(fm.horizontalAdvance(text) + 10, fm.height() + 4));
    if (box.right() > axes_.plot.right()) box.moveRight(pointer_.x() - 12);
    if (box.top() < axes_.plot.top()) box.moveTop(pointer_.y() + 12);
    p.setPen(QColor(120, 120, 120));
    p.setBrush(QColor(255, 255, 255, 230));
    p.drawRect(box);
    p.setPen(kHoverColour);
    p.drawText(box, Qt::AlignCenter, text);
  }
  p.restore();
}

bool TrajectoryChart::onThresholdGrip(QPointF position) const {
  const QRectF& plot = axes_.plot;
  // On the y axis (its labels and ticks) at any height, or on the plot near the line.
  if (layout_.yAxis.contains(position)) return true;
  return position.x() >= plot.left() && position.x() <= plot.right() &&
         std::abs(axes_.yOf(threshold_) - position.y()) <= kGrabPixels;
}

void TrajectoryChart::setHovered(const LineUnderPointer& line) {
  if (line == hovered_ && line.unit < 0) return;
  const bool changed = !(line == hovered_);
  hovered_ = line;
  update();
  if (changed) emit unitHovered(line.step, line.unit, line.value);
}

void TrajectoryChart::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton || !data_) return;
  const QPointF at = e->position();
  draggingThreshold_ = onThresholdGrip(at);
  if (draggingThreshold_) {
    dragLow_ = axes_.low, dragHigh_ = axes_.high;
    if (layout_.yAxis.contains(at)) {  // a press on the axis puts the threshold there
      setThreshold(std::clamp(axes_.valueAt(at.y()), dragLow_, dragHigh_));
      emit thresholdDragged(threshold_);
    }
    return;
  }
  if (!axes_.plot.contains(at)) return;
  const LineUnderPointer line = lineAt(at);
  if (line.unit >= 0) return emit unitClicked(line.step, line.unit);
  emit stepClicked(std::clamp(std::lround(axes_.stepAt(at.x())), 0L, data_->steps() - 1));
}

void TrajectoryChart::mouseMoveEvent(QMouseEvent* e) {
  pointer_ = e->position();
  if (draggingThreshold_) {
    // Within the range the axis had when the drag began: the axis grows to keep the threshold in view,
    // and dragging off the plot would otherwise run the scale away.
    setThreshold(std::clamp(axes_.valueAt(pointer_.y()), dragLow_, dragHigh_));
    emit thresholdDragged(threshold_);
    return;
  }
  const bool onGrip = onThresholdGrip(pointer_);
  setCursor(onGrip ? Qt::SizeVerCursor : Qt::ArrowCursor);
  setHovered(data_ && !onGrip ? lineAt(pointer_) : LineUnderPointer{});
}

LineUnderPointer TrajectoryChart::lineAt(QPointF position) const {
  // Only lines that are drawn: with "Selected only", the faint lines are not there to point at.
  const bool bundle = background_ != TrajectoryBackground::Nothing;
  return lineUnderPointer(*data_, axes_, position, kReachPixels, drawnLines(),
                          bundle ? LinesToPick::All : LinesToPick::OnTopOnly);
}

void TrajectoryChart::mouseReleaseEvent(QMouseEvent*) {
  draggingThreshold_ = false;
}

void TrajectoryChart::leaveEvent(QEvent*) {
  setHovered({});
}

void TrajectoryChart::renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) {
  painter.save();
  const TrajectoryLayout layout =
      TrajectoryLayout::forSize(size, painter.fontMetrics(), /*legend=*/!units_.empty(), /*tokenStrip=*/true);
  TrajectoryAxes axes = axes_;
  axes.plot = layout.plot;
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  painter.setPen(QColor(60, 60, 60));
  painter.drawText(layout.title, Qt::AlignCenter, title_);
  paintBrush(painter, axes, brush_, offBefore_, offAfter_);
  paintAxes(painter, layout, axes, valueLabel_);
  if (data_ && data_->steps() > 0) {
    // Without marks the current unit is drawn like the others (bold only shows where the user is).
    const int bold = marks == FigureMarks::Drawn ? currentUnit_ : -1;
    if (paintsVectors(painter)) {
      paintVectorBackground(painter, *data_, axes, background_, opacity_);
      paintSelectedLines(painter, *data_, axes, drawnLines(), bold, 1.0);
    } else {  // pixels at the device's resolution, drawn as the view draws them
      const double scale = painter.worldTransform().m11();
      const QSize pixels(std::max(1, static_cast<int>(std::lround(axes.plot.width() * scale))),
                         std::max(1, static_cast<int>(std::lround(axes.plot.height() * scale))));
      QImage image = renderTrajectoryBundle(
          *data_, bundleRequestFor(axes, pixels, static_cast<int>(data_->units()), background_, opacity_));
      drawSelectedLines(image, *data_, axes, drawnLines(), bold, scale);
      painter.drawImage(axes.plot, image);
    }
  }
  paintThreshold(painter, axes, threshold_);
  paintLegend(painter, layout.legend, units_);
  paintStepTokens(painter, layout.tokenStrip, axes, tokens_);
  painter.restore();
}

void TrajectoryChart::writeCsv(QTextStream& out) const {
  out << "step";
  const std::vector<int> lines = drawnLines();
  for (const int unit : lines) out << ",unit_" << unit;
  out << '\n';
  if (!data_) return;
  for (long s = std::max(0L, first_); s < std::min(end_, data_->steps()); ++s) {
    out << s;
    for (const int unit : lines) out << ',' << QString::number(data_->values()(unit, s), 'g', 9);
    out << '\n';
  }
}

}  // namespace lstmscope::viz
