// Round markers at chart values (the PCA view, gate saturation), drawn by one graphics item in one paint
// call. QScatterSeries makes a graphics item per point: 5,000 points took 300 ms of the GUI thread to set
// (docs/APP.md, "Benchmark"), which froze the window whenever a long text's projection arrived. Being in
// the chart's scene, the markers are part of every exported figure.
#pragma once

#include <QGraphicsObject>
#include <QImage>
#include <QList>
#include <QPointF>

class QChart;
class QAbstractSeries;

namespace lstmscope::viz {

class ChartMarkers : public QGraphicsObject {
  Q_OBJECT
 public:
  // `axes` gives the value-to-position mapping (any series attached to the chart's axes).
  ChartMarkers(QChart* chart, QAbstractSeries* axes, QColor fill, QColor border, qreal diameter);

  void setPoints(QList<QPointF> values);
  const QList<QPointF>& points() const { return values_; }
  // Pointer events over the plot (hover and click) report the value under the pointer when it is within
  // `reach` pixels of a marker.
  void setInteractive(bool on);

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 signals:
  void hovered(QPointF value);
  void clicked(QPointF value);

 protected:
  void hoverMoveEvent(QGraphicsSceneHoverEvent* event) override;
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;

 private:
  bool nearAMarker(const QPointF& position) const;

  QChart* chart_;
  QAbstractSeries* axes_;
  QColor fill_, border_;
  qreal diameter_;
  QList<QPointF> values_;
  QImage sprite_;  // the marker, drawn once per device pixel ratio
  static constexpr qreal kReach = 6;
};

}  // namespace lstmscope::viz
