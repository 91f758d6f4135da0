#include "viz/chart_figure.h"

#include <QGraphicsScene>
#include <QPainter>
#include <QtCharts/QChartView>

namespace lstmscope::viz {

void renderChart(QChartView& view, QPainter& painter, const QSize& size, const std::function<void()>& relayout) {
  QChart* chart = view.chart();
  const QRectF oldGeometry = chart->geometry();
  const QRectF oldScene = view.scene()->sceneRect();
  const QRectF target(QPointF(0, 0), QSizeF(size));
  chart->setGeometry(target);
  view.scene()->setSceneRect(target);
  if (relayout) relayout();
  view.scene()->render(&painter, target, target);
  chart->setGeometry(oldGeometry);
  view.scene()->setSceneRect(oldScene);
  if (relayout) relayout();
}

}  // namespace lstmscope::viz
