// The PCA view's markers: drawn where the projection puts each step, picked by a real click, and cheap to
// set for a long text (one graphics item per layer of markers, not one per point).
#include "viz/projection_view.h"

#include <gtest/gtest.h>

#include <QGraphicsItem>
#include <QSignalSpy>
#include <QTest>
#include <QtCharts/QChart>
#include <cmath>

#include "core/analysis/projection.h"

namespace lstmscope::viz {
namespace {

std::shared_ptr<const Projection> circle(long steps) {
  auto p = std::make_shared<Projection>();
  p->coordinates.resize(2, steps);
  for (long t = 0; t < steps; ++t)
    p->coordinates.col(t) << std::cos(6.283 * static_cast<double>(t) / steps),
        std::sin(6.283 * static_cast<double>(t) / steps);
  p->variance = Vec<double>::Constant(2, 0.5);
  p->totalVariance = 1;
  return p;
}

QStringList tokensOf(long steps) {
  QStringList tokens;
  for (long t = 0; t < steps; ++t) tokens << QString(QChar(static_cast<char16_t>(u'a' + t % 26)));
  return tokens;
}

TEST(ProjectionView, ClickingAMarkerPicksItsStepAndTheMarkerIsDrawnThere) {
  ProjectionView view;
  view.resize(500, 400);
  view.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
  view.setProjection(circle(12), tokensOf(12), QStringLiteral("h"));
  QTest::qWait(50);
  const long step = 3;  // at (0, 1) on the circle: the top
  const QPointF inChart = view.chart()->mapToPosition(
      QPointF(view.projection()->coordinates(0, step), view.projection()->coordinates(1, step)));
  const QPoint atMarker = view.mapFromScene(view.chart()->mapToScene(inChart));
  // The steel-blue marker is under that pixel.
  const QImage shot = view.grab().toImage();
  const QColor drawn = shot.pixelColor(atMarker * shot.devicePixelRatio());
  EXPECT_LT(std::abs(drawn.red() - 70) + std::abs(drawn.green() - 130) + std::abs(drawn.blue() - 180), 60)
      << drawn.name().toStdString();
  QSignalSpy clicked(&view, &ProjectionView::stepClicked);
  QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, atMarker);
  ASSERT_EQ(clicked.count(), 1);
  EXPECT_EQ(clicked.at(0).at(0).toLongLong(), step);
  // Far from every marker (the circle's centre) a click picks nothing.
  const QPoint centre = view.mapFromScene(view.chart()->mapToScene(view.chart()->mapToPosition(QPointF(0, 0))));
  QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, centre);
  EXPECT_EQ(clicked.count(), 1);
}

TEST(ProjectionView, ALongTextAddsNoGraphicsItemPerPoint) {
  ProjectionView view;
  view.resize(500, 400);
  view.show();
  view.setProjection(circle(12), tokensOf(12), QStringLiteral("h"));
  const qsizetype few = view.scene()->items().size();
  view.setProjection(circle(100'000), tokensOf(100'000), QStringLiteral("h"));
  view.setSelection({1000, 60'000});
  EXPECT_EQ(view.pointStride(), 20);  // 5,000 points drawn
  // Step labels and axis ticks come and go; 5,000 drawn points and 3,000 selected ones add no items.
  EXPECT_LT(view.scene()->items().size(), few + ProjectionView::kMaxLabels + 50);
}

}  // namespace
}  // namespace lstmscope::viz
