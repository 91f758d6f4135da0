#include "viz/chart_markers.h"

#include <QGraphicsSceneHoverEvent>
#include <QGraphicsSceneMouseEvent>
#include <QPaintDevice>
#include <QPainter>
#include <QtCharts/QChart>
#include <cmath>

#include "viz/figure_metrics.h"

namespace lstmscope::viz {

ChartMarkers::ChartMarkers(QChart* chart, QAbstractSeries* axes, QColor fill, QColor border, qreal diameter)
    : QGraphicsObject(chart), chart_(chart), axes_(axes), fill_(fill), border_(border), diameter_(diameter) {
  setZValue(50);  // above the series, below the step labels
  connect(chart_, &QChart::plotAreaChanged, this, [this] {
    prepareGeometryChange();
    update();
  });
}

void ChartMarkers::setPoints(QList<QPointF> values) {
  values_ = std::move(values);
  update();
}

void ChartMarkers::setInteractive(bool on) {
  setAcceptHoverEvents(on);
  setAcceptedMouseButtons(on ? Qt::LeftButton : Qt::NoButton);
}

QRectF ChartMarkers::boundingRect() const {
  const qreal pad = diameter_ / 2 + 1;
  return chart_->plotArea().adjusted(-pad, -pad, pad, pad);
}

void ChartMarkers::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  if (values_.isEmpty()) return;
  // One antialiased marker drawn once, then blitted: drawing 5,000 antialiased ellipses cost ~25 ms a
  // repaint, and the view repaints at every hover and step change. Exports to PDF/SVG draw vectors.
  const qreal r = diameter_ / 2;
  if (paintsVectors(*painter)) {
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(border_.alpha() == 0 ? QPen(Qt::NoPen) : QPen(border_, 1));
    painter->setBrush(fill_);
    for (const QPointF& value : values_) painter->drawEllipse(chart_->mapToPosition(value, axes_), r, r);
    return;
  }
  const qreal scale = painter->device()->devicePixelRatioF();
  if (sprite_.isNull() || sprite_.devicePixelRatio() != scale) {
    const int side = static_cast<int>(std::ceil((diameter_ + 2) * scale));
    sprite_ = QImage(side, side, QImage::Format_ARGB32_Premultiplied);
    sprite_.fill(Qt::transparent);
    QPainter p(&sprite_);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(scale, scale);
    p.setPen(border_.alpha() == 0 ? QPen(Qt::NoPen) : QPen(border_, 1));
    p.setBrush(fill_);
    p.drawEllipse(QPointF(diameter_ / 2 + 1, diameter_ / 2 + 1), r, r);
    p.end();
    sprite_.setDevicePixelRatio(scale);
  }
  const QPointF offset(r + 1, r + 1);
  for (const QPointF& value : values_) painter->drawImage(chart_->mapToPosition(value, axes_) - offset, sprite_);
}

bool ChartMarkers::nearAMarker(const QPointF& position) const {
  for (const QPointF& value : values_) {
    const QPointF d = chart_->mapToPosition(value, axes_) - position;
    if (d.x() * d.x() + d.y() * d.y() <= kReach * kReach) return true;
  }
  return false;
}

void ChartMarkers::hoverMoveEvent(QGraphicsSceneHoverEvent* event) {
  if (nearAMarker(event->pos())) emit hovered(chart_->mapToValue(event->pos(), axes_));
}

void ChartMarkers::mousePressEvent(QGraphicsSceneMouseEvent* event) {
  if (!nearAMarker(event->pos())) return event->ignore();
  emit clicked(chart_->mapToValue(event->pos(), axes_));
}

}  // namespace lstmscope::viz
