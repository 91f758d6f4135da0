#include "viz/heatmap_view.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "viz/csv.h"
#include "viz/heatmap_data.h"

namespace lstmscope::viz {
namespace {

constexpr double kWheelZoom = 1.25;
constexpr int kDragThreshold = 4;

bool sameScale(const ColourScale& a, const ColourScale& b) {
  return a.low() == b.low() && a.high() == b.high() && a.map().name() == b.map().name();
}

}  // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(320, 200);
  setAttribute(Qt::WA_OpaquePaintEvent);
  connect(&watcher_, &QFutureWatcher<QImage>::finished, this, &HeatmapView::onFrameRendered);
}

HeatmapView::~HeatmapView() {
  watcher_.waitForFinished();
}

void HeatmapView::setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens) {
  const long oldSteps = viewport_.steps;
  data_ = std::move(data);
  ++dataGeneration_;
  decor_.tokens = tokens;
  viewport_.steps = data_ ? data_->steps() : 0;
  // Rows that name units the new data lacks (a smaller model, before its caller orders the rows) would
  // be read out of bounds by the next frame: show the data's units in order until setRowUnits().
  const long units = data_ ? data_->units() : 0;
  if (std::any_of(request_.rowUnits.begin(), request_.rowUnits.end(), [units](int u) { return u >= units; })) {
    std::vector<int> inOrder(static_cast<size_t>(units));
    std::iota(inOrder.begin(), inOrder.end(), 0);
    request_.rowUnits = std::move(inOrder);
    viewport_.rows = units;
    viewport_.firstRow = 0, viewport_.visibleRows = static_cast<double>(std::max(1L, units));
    updateDecorRows();
  }
  if (viewport_.steps != oldSteps) {
    // Open on a window where the tokens are readable; the whole text is one key (0) away.
    const int plotWidth = layout_.plot.width() > 1 ? layout_.plot.width() : 1000;
    viewport_.firstStep = 0;
    viewport_.visibleSteps = std::min<double>(std::max(1L, viewport_.steps), plotWidth / kReadablePixelsPerStep);
  }
  viewportEdited();
}

void HeatmapView::setRowUnits(std::vector<int> rowUnits) {
  const bool sameCount = static_cast<long>(rowUnits.size()) == viewport_.rows;
  request_.rowUnits = std::move(rowUnits);
  viewport_.rows = static_cast<long>(request_.rowUnits.size());
  if (!sameCount) viewport_.firstRow = 0, viewport_.visibleRows = static_cast<double>(std::max(1L, viewport_.rows));
  updateDecorRows();
  viewportEdited();
}

void HeatmapView::setScale(const ColourScale& scale) {
  request_.scale = scale;
  viewportEdited();
}

void HeatmapView::setTitle(const QString& title, const QString& valueLabel) {
  decor_.title = title, decor_.valueLabel = valueLabel;
  update();
}

void HeatmapView::setFirstStepNumber(long number) {
  decor_.firstStepNumber = number;
  update();
}

void HeatmapView::setSelection(IndexSpan steps) {
  decor_.selection = steps;
  update();
}

void HeatmapView::setHighlightedUnits(const std::vector<int>& units) {
  highlightedUnits_ = units;
  updateDecorRows();
  update();
}

void HeatmapView::setHoveredUnit(int unit) {
  if (unit == hoveredUnit_) return;
  hoveredUnit_ = unit;
  updateDecorRows();
  update();
}

void HeatmapView::setCurrent(long step, int unit) {
  const bool moved = step != decor_.currentStep || unit != currentUnit_;
  decor_.currentStep = step;
  currentUnit_ = unit;
  updateDecorRows();
  if (!moved) return update();
  // Bring a newly picked step and unit into view (but leave the view alone when they did not change, so
  // that refreshing the linked views never undoes the user's panning).
  if (step >= 0 && (step < viewport_.firstStep || step + 1 > viewport_.firstStep + viewport_.visibleSteps))
    viewport_.firstStep = step + 0.5 - viewport_.visibleSteps / 2;
  const long row = decor_.currentRow;
  if (row >= 0 && (row < viewport_.firstRow || row + 1 > viewport_.firstRow + viewport_.visibleRows))
    viewport_.firstRow = row + 0.5 - viewport_.visibleRows / 2;
  viewportEdited();
}

void HeatmapView::showSteps(double first, double count) {
  viewport_.showSteps(first, count);
  viewportEdited();
}

long HeatmapView::rowOfUnit(int unit) const {
  const auto it = std::find(request_.rowUnits.begin(), request_.rowUnits.end(), unit);
  return it == request_.rowUnits.end() ? -1 : static_cast<long>(it - request_.rowUnits.begin());
}

void HeatmapView::updateDecorRows() {
  decor_.currentRow = currentUnit_ >= 0 ? rowOfUnit(currentUnit_) : -1;
  decor_.hoveredRow = hoveredUnit_ >= 0 ? rowOfUnit(hoveredUnit_) : -1;
  decor_.highlightedRows.assign(request_.rowUnits.size(), 0);
  for (const int u : highlightedUnits_)
    if (const long r = rowOfUnit(u); r >= 0) decor_.highlightedRows[static_cast<size_t>(r)] = 1;
}

bool HeatmapView::frameIsCurrent() const {
  if (rendering_) return false;
  return !frame_.isNull() && frameData_ == dataGeneration_ && frameRequest_.viewport == viewport_ &&
         frameRequest_.rowUnits == request_.rowUnits && sameScale(frameRequest_.scale, request_.scale);
}

void HeatmapView::viewportEdited() {
  viewport_.width = std::max(1, layout_.plot.width());
  viewport_.height = std::max(1, layout_.plot.height());
  viewport_.clamp();
  update();
  requestFrame();
  emit viewportChanged();
}

void HeatmapView::requestFrame() {
  if (!data_ || frameIsCurrent()) return;
  // One render at a time; requests made meanwhile are dropped, and the newest state is rendered when the
  // running one finishes (onFrameRendered).
  if (rendering_) return;
  inflightRequest_ = request_;
  inflightData_ = dataGeneration_;
  // Render in device pixels so that high-DPI screens get sharp cells.
  const double dpr = devicePixelRatioF();
  HeatmapFrameRequest deviceRequest = request_;
  deviceRequest.viewport.width = std::max(1, static_cast<int>(std::lround(viewport_.width * dpr)));
  deviceRequest.viewport.height = std::max(1, static_cast<int>(std::lround(viewport_.height * dpr)));
  renderClock_.start();
  rendering_ = true;
  watcher_.setFuture(QtConcurrent::run([data = data_, deviceRequest, dpr] {
    QImage image = renderHeatmap(*data, deviceRequest);
    image.setDevicePixelRatio(dpr);
    return image;
  }));
}

void HeatmapView::onFrameRendered() {
  lastRenderMs_ = renderClock_.nsecsElapsed() / 1e6;
  rendering_ = false;  // the watcher may still report isRunning() inside its finished signal
  frame_ = watcher_.result();
  frameRequest_ = inflightRequest_;
  frameData_ = inflightData_;
  update();
  // Whether the state changed while rendering decides what next.
  if (frameIsCurrent())
    emit frameReady();
  else
    requestFrame();
}

void HeatmapView::paintEvent(QPaintEvent*) {
  QElapsedTimer clock;
  clock.start();
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRect plot = layout_.plot;
  p.fillRect(plot, QColor(236, 236, 236));
  if (!frame_.isNull() && frameData_ == dataGeneration_) {
    // The last frame, moved to where its data window lies in the current viewport.
    const HeatmapViewport& f = frameRequest_.viewport;
    const double x0 = viewport_.xOfStep(f.firstStep), x1 = viewport_.xOfStep(f.firstStep + f.visibleSteps);
    const double y0 = viewport_.yOfRow(f.firstRow), y1 = viewport_.yOfRow(f.firstRow + f.visibleRows);
    p.save();
    p.setClipRect(plot);
    p.drawImage(QRectF(plot.left() + x0, plot.top() + y0, x1 - x0, y1 - y0), frame_);
    p.restore();
  }
  p.setPen(QColor(60, 60, 60));
  paintTitle(p, layout_.title, decor_.title);
  paintTokenStrip(p, layout_.tokens, viewport_, decor_);
  paintMetaStrips(p, layout_.meta, QRect(0, layout_.meta.top(), layout_.meta.left(), layout_.meta.height()), viewport_,
                  decor_.meta);
  paintUnitAxis(p, layout_.unitAxis, viewport_, request_.rowUnits, decor_);
  paintStepAxis(p, layout_.stepAxis, viewport_, decor_);
  paintColourBar(p, layout_.colourBar, request_.scale, decor_.valueLabel);
  if (data_) paintCellValues(p, plot, viewport_, *data_, request_.rowUnits, request_.scale);
  paintPlotOverlays(p, plot, viewport_, decor_, request_.scale.map());
  paintHoverLabel(p);
  if (drag_ == Drag::Brush) {  // the cells the brush will take, as it is dragged
    const IndexSpan cells = brushedSteps(pressPos_.x(), lastPos_.x());
    const double a = plot.left() + viewport_.xOfStep(static_cast<double>(cells.first));
    const double b = plot.left() + viewport_.xOfStep(static_cast<double>(cells.end));
    p.fillRect(QRectF(a, plot.top(), b - a, plot.height()), QColor(255, 196, 0, 60));
  }
  if (hasFocus()) {
    p.setPen(QPen(palette().highlight(), 1));
    p.setBrush(Qt::NoBrush);  // a frame only: a brush would fill the whole plot
    p.drawRect(plot.adjusted(-1, -1, 0, 0));
  }
  lastPaintMs_ = clock.nsecsElapsed() / 1e6;
}

void HeatmapView::paintHoverLabel(QPainter& p) {
  if (!hoverPos_ || !data_ || drag_ != Drag::None) return;
  const QPointF local = *hoverPos_ - layout_.plot.topLeft();
  const long step = viewport_.stepIndexAtX(local.x()), row = viewport_.rowIndexAtY(local.y());
  if (step < 0 || row < 0) return;
  const int unit = request_.rowUnits[static_cast<size_t>(row)];
  const QString text = tr("step %1  “%2”\nunit %3\n%4 = %5")
                           .arg(decor_.firstStepNumber + step)
                           .arg(decor_.tokens.value(static_cast<qsizetype>(step)))
                           .arg(unit)
                           .arg(decor_.valueLabel)
                           .arg(QString::number(data_->values()(unit, step), 'g', 7));
  QRect box = p.fontMetrics().boundingRect(QRect(0, 0, 400, 200), Qt::AlignLeft, text).adjusted(-6, -4, 6, 4);
  // Beside the mouse, flipped to stay inside the plot.
  QPoint at = hoverPos_->toPoint() + QPoint(14, 14);
  if (at.x() + box.width() > layout_.plot.right()) at.rx() -= box.width() + 28;
  if (at.y() + box.height() > layout_.plot.bottom()) at.ry() -= box.height() + 28;
  box.moveTopLeft(at);
  // Its pale brush must not leak into whatever is painted after the label (the focus frame).
  p.save();
  p.setPen(QColor(60, 60, 60));
  p.setBrush(QColor(255, 255, 240, 235));
  p.drawRect(box);
  p.drawText(box.adjusted(6, 4, -6, -4), Qt::AlignLeft, text);
  p.restore();
}

void HeatmapView::resizeEvent(QResizeEvent*) {
  layout_ = HeatmapLayout::forSize(size(), fontMetrics(), AxisTitles::Omitted, static_cast<int>(decor_.meta.size()));
  viewportEdited();
}

void HeatmapView::setMetaStrips(std::vector<MetaStrip> strips) {
  const bool relayout = strips.size() != decor_.meta.size();
  decor_.meta = std::move(strips);
  if (relayout) return resizeEvent(nullptr);  // the plot moves down (or up) by the strips' height
  update();
}

IndexSpan HeatmapView::brushedSteps(double pressX, double releaseX) const {
  // Every step from the cell pressed on to the cell released on, both included (as LSTMVis brushes words).
  const double a = viewport_.stepAtX(std::min(pressX, releaseX) - layout_.plot.left());
  const double b = viewport_.stepAtX(std::max(pressX, releaseX) - layout_.plot.left());
  const long last = std::max(0L, viewport_.steps - 1);
  const long first = std::clamp(static_cast<long>(std::floor(a)), 0L, last);
  return {first, std::clamp(static_cast<long>(std::floor(b)), first, last) + 1};
}

void HeatmapView::mousePressEvent(QMouseEvent* e) {
  pressPos_ = lastPos_ = e->position();
  moved_ = false;
  if (e->button() != Qt::LeftButton) return;
  const bool inTokens = layout_.tokens.contains(e->position().toPoint());
  drag_ = (e->modifiers() & Qt::ShiftModifier) || inTokens ? Drag::Brush : Drag::Pan;
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  if (drag_ != Drag::None) {
    moved_ = moved_ || (pos - pressPos_).manhattanLength() > kDragThreshold;
    if (drag_ == Drag::Pan && moved_) {
      viewport_.panPixels(pos.x() - lastPos_.x(), pos.y() - lastPos_.y());
      viewportEdited();
    }
    lastPos_ = pos;
    update();
  }
  const QPointF local = pos - layout_.plot.topLeft();
  const long step = viewport_.stepIndexAtX(local.x()), row = viewport_.rowIndexAtY(local.y());
  if (step >= 0 && row >= 0 && data_) {
    const int unit = request_.rowUnits[static_cast<size_t>(row)];
    emit hovered(step, unit, data_->values()(unit, step));
    hoverPos_ = pos;
    update();
  } else if (hoverPos_) {
    emit hovered(-1, -1, 0);
    hoverPos_.reset();
    update();
  }
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* e) {
  const Drag drag = std::exchange(drag_, Drag::None);
  const QPointF local = e->position() - layout_.plot.topLeft();
  if (drag == Drag::Brush && moved_) {
    emit rangeBrushed(brushedSteps(pressPos_.x(), e->position().x()));
  } else if (!moved_ && layout_.unitAxis.contains(e->position().toPoint())) {
    const long row = viewport_.rowIndexAtY(local.y());
    if (row >= 0) emit unitToggled(request_.rowUnits[static_cast<size_t>(row)]);
  } else if (!moved_) {
    const long step = viewport_.stepIndexAtX(local.x()), row = viewport_.rowIndexAtY(local.y());
    if (step >= 0) emit currentPicked(step, row >= 0 ? request_.rowUnits[static_cast<size_t>(row)] : currentUnit_);
  }
  update();
}

void HeatmapView::contextMenuEvent(QContextMenuEvent* e) {
  const QPointF local = QPointF(e->pos()) - layout_.plot.topLeft();
  const long row = viewport_.rowIndexAtY(local.y());
  const int unit = row >= 0 && data_ ? request_.rowUnits[static_cast<size_t>(row)] : -1;
  if (layout_.unitAxis.contains(e->pos()))
    emit contextMenuRequested(-1, unit, e->globalPos());
  else if (layout_.plot.contains(e->pos()))
    emit contextMenuRequested(unit >= 0 ? viewport_.stepIndexAtX(local.x()) : -1, unit, e->globalPos());
  e->accept();
}

void HeatmapView::wheelEvent(QWheelEvent* e) {
  const double notches = e->angleDelta().y() / 120.0;
  if (notches == 0) return;
  const QPointF local = e->position() - layout_.plot.topLeft();
  const double factor = std::pow(kWheelZoom, notches);
  if (e->modifiers() & Qt::ShiftModifier)
    viewport_.zoomRows(factor, std::clamp(local.y(), 0.0, double(viewport_.height)));
  else
    viewport_.zoomSteps(factor, std::clamp(local.x(), 0.0, double(viewport_.width)));
  viewportEdited();
  e->accept();
}

void HeatmapView::moveCurrent(long dStep, long dRow) {
  const long step = std::clamp(std::max(0L, decor_.currentStep) + dStep, 0L, std::max(0L, viewport_.steps - 1));
  const long row = std::clamp(std::max(0L, decor_.currentRow) + dRow, 0L, std::max(0L, viewport_.rows - 1));
  if (viewport_.rows == 0) return;
  emit currentPicked(step, request_.rowUnits[static_cast<size_t>(row)]);
}

void HeatmapView::keyPressEvent(QKeyEvent* e) {
  const bool shift = e->modifiers() & Qt::ShiftModifier;
  switch (e->key()) {
    case Qt::Key_Left:
      moveCurrent(shift ? -10 : -1, 0);
      break;
    case Qt::Key_Right:
      moveCurrent(shift ? 10 : 1, 0);
      break;
    case Qt::Key_Up:
      moveCurrent(0, -1);
      break;
    case Qt::Key_Down:
      moveCurrent(0, 1);
      break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      shift ? viewport_.zoomRows(2, viewport_.height / 2.0) : viewport_.zoomSteps(2, viewport_.width / 2.0);
      viewportEdited();
      break;
    case Qt::Key_Minus:
      shift ? viewport_.zoomRows(0.5, viewport_.height / 2.0) : viewport_.zoomSteps(0.5, viewport_.width / 2.0);
      viewportEdited();
      break;
    case Qt::Key_PageUp:
      viewport_.panPixels(viewport_.width * 0.9, 0), viewportEdited();
      break;
    case Qt::Key_PageDown:
      viewport_.panPixels(-viewport_.width * 0.9, 0), viewportEdited();
      break;
    case Qt::Key_Home:
      moveCurrent(-viewport_.steps, 0);
      break;
    case Qt::Key_End:
      moveCurrent(viewport_.steps, 0);
      break;
    case Qt::Key_0:
      viewport_.showAll(), viewportEdited();
      break;
    default:
      QWidget::keyPressEvent(e);
  }
}

void HeatmapView::leaveEvent(QEvent*) {
  if (hoverPos_) emit hovered(-1, -1, 0);
  hoverPos_.reset();
  update();
}

void HeatmapView::renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) {
  if (!data_) return;
  HeatmapDecor decor = decor_;
  decor.hoveredRow = -1;
  if (marks == FigureMarks::Omitted) decor.currentStep = -1, decor.currentRow = -1;
  paintHeatmapFigure(painter, size, *data_, request_, decor);
}

void HeatmapView::writeCsv(QTextStream& out) const {
  if (!data_) return;
  const long first = std::max(0L, static_cast<long>(std::floor(viewport_.firstStep)));
  const long end =
      std::min(viewport_.steps, static_cast<long>(std::ceil(viewport_.firstStep + viewport_.visibleSteps)));
  out << "step,token";
  for (const int u : request_.rowUnits) out << ",unit_" << u;
  out << '\n';
  for (long s = first; s < end; ++s) {
    out << decor_.firstStepNumber + s << ',' << csvToken(decor_.tokens.value(static_cast<qsizetype>(s)));
    for (const int u : request_.rowUnits) out << ',' << QString::number(data_->values()(u, s), 'g', 9);
    out << '\n';
  }
}

}  // namespace lstmscope::viz
