// Gate saturation: every unit's point where its fractions put it, a real click on a point picks that unit,
// and the selected units are marked; selecting again replaces the marks without rebuilding the charts.
#include "viz/saturation_view.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include "viz/figure_export.h"

namespace lstmscope::viz {
namespace {

// One layer, one direction, four units at distinct places for every gate.
std::shared_ptr<const SaturationTable> fourUnits() {
  const std::vector<Saturation> units{{0.1, 0.1}, {0.7, 0.2}, {0.2, 0.7}, {0.5, 0.5}};
  return std::make_shared<const SaturationTable>(
      SaturationTable{{std::vector<std::vector<Saturation>>{units}, std::vector<std::vector<Saturation>>{units},
                       std::vector<std::vector<Saturation>>{units}}});
}

QPoint pixelOf(QChartView& view, QPointF value) {
  return view.mapFromScene(view.chart()->mapToScene(view.chart()->mapToPosition(value)));
}

TEST(SaturationView, PointsAreTheFractionsAndAClickPicksTheUnit) {
  SaturationView view;
  view.resize(900, 320);
  view.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
  view.setStatistics(fourUnits(), {LayerSpec{4, false}});
  QTest::qWait(50);
  ASSERT_EQ(view.points(1, 0).size(), 4);
  EXPECT_EQ(view.points(1, 0)[2], QPointF(0.2, 0.7));
  QChartView& forget = *view.chartView(1);
  QSignalSpy picked(&view, &SaturationView::unitPicked);
  QTest::mouseClick(forget.viewport(), Qt::LeftButton, {}, pixelOf(forget, QPointF(0.2, 0.7)));
  ASSERT_EQ(picked.count(), 1);
  EXPECT_EQ(picked.at(0).at(0).toInt(), 2);

  view.setHighlightedUnits({1});
  QTest::qWait(50);
  const QImage shot = forget.grab().toImage();
  const QColor marked = shot.pixelColor(pixelOf(forget, QPointF(0.7, 0.2)) * shot.devicePixelRatio());
  EXPECT_LT(std::abs(marked.red() - 230) + std::abs(marked.green() - 160) + std::abs(marked.blue()), 60)
      << marked.name().toStdString();
  const auto items = forget.scene()->items().size();
  view.setHighlightedUnits({2, 3});
  EXPECT_EQ(forget.scene()->items().size(), items);  // the same charts, new marks
}

// At a journal column's width the three gates' panels are stacked, each wide enough for its axis titles
// (side by side they were elided to "frac…").
TEST(SaturationView, AColumnWideFigureStacksThePanelsWithTheirAxisTitlesWhole) {
  SaturationView view;
  view.resize(900, 320);
  view.setStatistics(fourUnits(), {LayerSpec{4, false}});
  EXPECT_EQ(view.figureHeightForWidth(900), 300);  // side by side, square panels
  const int column = 336;                          // 89 mm at 96 per inch
  EXPECT_EQ(view.figureHeightForWidth(column), 3 * column * 3 / 4);
  QTemporaryDir dir;
  FigureExportOptions o;
  o.unit = FigureUnit::Millimetres, o.size = QSizeF(89, 60), o.fitHeight = true;
  ASSERT_EQ(exportView(view, dir.filePath(QStringLiteral("s.svg")), o), QString());
  QFile svg(dir.filePath(QStringLiteral("s.svg")));
  ASSERT_TRUE(svg.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(svg.readAll());
  EXPECT_EQ(text.count(QStringLiteral(">fraction &lt; 0.1</text>")), 3) << "an axis title elided";
}

}  // namespace
}  // namespace lstmscope::viz
