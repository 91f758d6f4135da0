// The trajectories as a person uses them, with real mouse events on a shown window: hovering picks the
// line under the pointer, a click makes its unit current, the threshold is dragged on the plot or the
// axis. First on a synthetic recording whose lines are known, then linked in the app (heatmap and list).
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <cmath>

#include "app/gui/select_panel.h"
#include "app/gui/view_state.h"
#include "test_window.h"
#include "viz/heatmap_data.h"

namespace lstmscope {
namespace {

using viz::TrajectoryChart;

// On a real X server (app_on_xvfb) the pointer warps and its events arrive a little later.
void waitFor(QSignalSpy& spy) {
  if (spy.isEmpty()) spy.wait(3000);
}

QPoint pointAt(const TrajectoryChart& chart, double step, double value) {
  return QPointF(chart.axes().xOf(step), chart.axes().yOf(value)).toPoint();
}

class TrajectoryInputTest : public testing::Test {
 protected:
  // Twelve units as flat lines, unit u at (u - 5.5) / 6 (about 25 px apart in a 300 px plot), each
  // wiggling by a known 0.01 * sin(step) so that values differ from step to step.
  static constexpr int kUnits = 12, kSteps = 60;
  static float valueOf(int unit, long step) { return (unit - 5.5f) / 6 + 0.01f * std::sin(static_cast<float>(step)); }

  void SetUp() override {
    auto values = std::make_shared<Mat<float>>(kUnits, kSteps);
    for (int u = 0; u < kUnits; ++u)
      for (long s = 0; s < kSteps; ++s) (*values)(u, s) = valueOf(u, s);
    chart_.resize(800, 380);
    chart_.setData(std::make_shared<viz::HeatmapData>(values, values.get()), {}, QStringLiteral("synthetic"),
                   QStringLiteral("c"));
    chart_.setWindow(0, kSteps);
    chart_.setThreshold(0.3);
    chart_.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart_));
  }

  TrajectoryChart chart_;
};

TEST_F(TrajectoryInputTest, HoverPicksTheLineUnderThePointerAndNamesItsValue) {
  QSignalSpy hovered(&chart_, &TrajectoryChart::unitHovered);
  for (const int unit : {4, 9, 0}) {
    hovered.clear();
    // Three pixels off the line, still nearer to it than to its neighbours 25 px away.
    QTest::mouseMove(&chart_, pointAt(chart_, 30, valueOf(unit, 30)) + QPoint(0, 3));
    waitFor(hovered);
    ASSERT_FALSE(hovered.isEmpty()) << "unit " << unit;
    EXPECT_EQ(hovered.last()[0].value<long>(), 30);
    EXPECT_EQ(hovered.last()[1].toInt(), unit);
    EXPECT_EQ(hovered.last()[2].toFloat(), valueOf(unit, 30));
    EXPECT_EQ(chart_.hoveredLine().unit, unit);
  }
  // Halfway between two lines (12 px from each) is near neither.
  hovered.clear();
  QTest::mouseMove(&chart_, pointAt(chart_, 20, (valueOf(6, 20) + valueOf(7, 20)) / 2));
  waitFor(hovered);
  ASSERT_FALSE(hovered.isEmpty());
  EXPECT_EQ(hovered.last()[1].toInt(), -1);
  // The hovered line is drawn dark over the faint bundle.
  const auto greyOnUnit2 = [&] {
    const QImage shot = chart_.grab().toImage();
    const QPoint onLine = pointAt(chart_, 45, valueOf(2, 45)) * shot.devicePixelRatio();
    int darkest = 255;
    for (int dy = -2; dy <= 2; ++dy) darkest = std::min(darkest, qGray(shot.pixel(onLine + QPoint(0, dy))));
    return darkest;
  };
  QTRY_VERIFY_WITH_TIMEOUT(chart_.bundleShown(), 10000);
  const int faint = greyOnUnit2();
  QTest::mouseMove(&chart_, pointAt(chart_, 40, valueOf(2, 40)));
  QTRY_COMPARE_WITH_TIMEOUT(chart_.hoveredLine().unit, 2, 3000);
  const int dark = greyOnUnit2();
  EXPECT_LT(dark, 130) << "the hovered line is not drawn dark";
  EXPECT_LT(dark, faint - 60) << "the hovered line is not darker than the faint one";
}

TEST_F(TrajectoryInputTest, ClickingALineMakesItsUnitCurrentAndElsewherePicksTheStep) {
  QSignalSpy units(&chart_, &TrajectoryChart::unitClicked), steps(&chart_, &TrajectoryChart::stepClicked);
  QTest::mouseClick(&chart_, Qt::LeftButton, {}, pointAt(chart_, 17, valueOf(8, 17)));
  waitFor(units);
  ASSERT_EQ(units.size(), 1);
  EXPECT_EQ(units[0][0].value<long>(), 17);
  EXPECT_EQ(units[0][1].toInt(), 8);
  EXPECT_TRUE(steps.isEmpty());
  QTest::mouseClick(&chart_, Qt::LeftButton, {}, pointAt(chart_, 44, (valueOf(1, 44) + valueOf(2, 44)) / 2));
  waitFor(steps);
  ASSERT_EQ(steps.size(), 1);
  EXPECT_EQ(steps[0][0].value<long>(), 44);
  EXPECT_EQ(units.size(), 1);
}

TEST_F(TrajectoryInputTest, TheThresholdIsDraggedOnThePlotOrSetOnTheAxis) {
  QSignalSpy dragged(&chart_, &TrajectoryChart::thresholdDragged);
  const QPoint grip = pointAt(chart_, 10, 0.3);
  const QPoint target = pointAt(chart_, 10, -0.4);
  QTest::mousePress(&chart_, Qt::LeftButton, {}, grip);
  QTest::mouseMove(&chart_, (grip + target) / 2);
  QTest::mouseMove(&chart_, target);
  QTest::mouseRelease(&chart_, Qt::LeftButton, {}, target);
  QTRY_VERIFY_WITH_TIMEOUT(!dragged.isEmpty() && std::abs(dragged.last()[0].toDouble() + 0.4) < 0.01, 3000);
  // One pixel's worth of value is the precision of a drag.
  const double pixel = (chart_.axes().high - chart_.axes().low) / chart_.axes().plot.height();
  EXPECT_NEAR(chart_.threshold(), -0.4, pixel);
  // A press on the y axis's labels puts the threshold at that height.
  dragged.clear();
  const QPoint axis(static_cast<int>(chart_.axes().plot.left()) - 20, pointAt(chart_, 0, 0.6).y());
  QTest::mouseClick(&chart_, Qt::LeftButton, {}, axis);
  waitFor(dragged);
  ASSERT_FALSE(dragged.isEmpty());
  EXPECT_NEAR(chart_.threshold(), 0.6, pixel);
  // A press away from the line and the axis is not a drag: the threshold stays.
  QTest::mouseClick(&chart_, Qt::LeftButton, {}, pointAt(chart_, 30, -0.9));
  EXPECT_NEAR(chart_.threshold(), 0.6, pixel);
}

TEST_F(TrajectoryInputTest, DraggingPastThePlotStopsAtItsEdgeInsteadOfRunningTheScaleAway) {
  const double low = chart_.axes().low;
  const QPoint grip = pointAt(chart_, 10, 0.3);
  QTest::mousePress(&chart_, Qt::LeftButton, {}, grip);
  for (int k = 1; k <= 30; ++k) QTest::mouseMove(&chart_, grip + QPoint(0, 20 * k));  // far below the plot
  QTest::mouseRelease(&chart_, Qt::LeftButton, {}, grip + QPoint(0, 600));
  QTRY_COMPARE_WITH_TIMEOUT(chart_.threshold(), low, 3000);
  EXPECT_GE(chart_.axes().low, low - 0.1 * (chart_.axes().high - low)) << "the axis ran away";
}

TEST_F(TrajectoryInputTest, WithSelectedLinesOnlyTheFaintLinesCannotBeHoveredOrClicked) {
  chart_.setUnits({4}, 4);
  chart_.setBackground(viz::TrajectoryBackground::Nothing);
  chart_.setFitToWindow(false);
  chart_.setQuantityRange(-1, 1);
  QSignalSpy hovered(&chart_, &TrajectoryChart::unitHovered), units(&chart_, &TrajectoryChart::unitClicked);
  QTest::mouseMove(&chart_, pointAt(chart_, 30, valueOf(9, 30)));  // unit 9 is not drawn
  QTest::mouseClick(&chart_, Qt::LeftButton, {}, pointAt(chart_, 30, valueOf(9, 30)));
  QTest::mouseMove(&chart_, pointAt(chart_, 31, valueOf(4, 31)));
  QTRY_COMPARE_WITH_TIMEOUT(chart_.hoveredLine().unit, 4, 3000);
  // Every hover before reaching unit 4 found no line, and the click picked no unit.
  for (int k = 0; k + 1 < hovered.size(); ++k) EXPECT_EQ(hovered[k][1].toInt(), -1);
  EXPECT_TRUE(units.isEmpty());
}

// In the app, the hovered line is marked in the heatmap and the list of selected units, and a click on
// it makes it the current unit at that step for every view.
class TrajectoryLinkTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::openDemoForTest(window_)); }
  app::MainWindow window_;
};

TEST_F(TrajectoryLinkTest, HoverMarksTheUnitInTheHeatmapAndListAndAClickMakesItCurrent) {
  window_.brushSteps({2084, 2092});
  const std::vector<int> selected = window_.state().selectedUnits;
  ASSERT_GE(selected.size(), 2u);
  TrajectoryChart* chart = window_.trajectories();
  window_.findChild<QDockWidget*>(QStringLiteral("trajectories"))->raise();
  QTRY_VERIFY_WITH_TIMEOUT(chart->isVisible() && chart->axes().plot.width() > 100, 5000);
  // A step in the window where the second selected line is far from the first (drawn on top of the bundle).
  const viz::HeatmapData& data = *window_.heatmap()->data();
  const int unit = selected[1];
  long step = -1;
  for (long s = static_cast<long>(std::ceil(chart->axes().firstStep)); s <= chart->axes().lastStep; ++s)
    if (std::abs(chart->axes().yOf(data.values()(unit, s)) - chart->axes().yOf(data.values()(selected[0], s))) > 12 &&
        std::abs(chart->axes().yOf(data.values()(unit, s)) - chart->axes().yOf(window_.state().threshold)) > 8)
      step = s;
  ASSERT_GE(step, 0) << "no step where unit " << unit << " stands apart";
  QSignalSpy hovered(chart, &TrajectoryChart::unitHovered);
  QTest::mouseMove(chart, pointAt(*chart, static_cast<double>(step), data.values()(unit, step)));
  waitFor(hovered);
  ASSERT_FALSE(hovered.isEmpty());
  EXPECT_EQ(hovered.last()[1].toInt(), unit);
  EXPECT_EQ(window_.heatmap()->hoveredUnit(), unit);
  auto* panel = window_.findChild<app::SelectPanel*>();
  ASSERT_NE(panel, nullptr);
  EXPECT_EQ(panel->hoveredRow(), 1);
  auto* list = panel->findChild<QListWidget*>();
  ASSERT_NE(list, nullptr);
  EXPECT_NE(list->item(1)->background().style(), Qt::NoBrush);
  QTRY_VERIFY_WITH_TIMEOUT(chart->bundleShown(), 10000);
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    window_.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/trajectory_hover.png"));
  QTest::mouseClick(chart, Qt::LeftButton, {}, pointAt(*chart, static_cast<double>(step), data.values()(unit, step)));
  QTRY_COMPARE_WITH_TIMEOUT(window_.state().currentUnit, unit, 3000);
  EXPECT_EQ(window_.state().currentStep, step);
  // Leaving the chart ends the marks in the heatmap and the list.
  auto* away = panel->findChild<QDoubleSpinBox*>();
  ASSERT_NE(away, nullptr);
  QTest::mouseMove(away, away->rect().center());
  QTRY_COMPARE_WITH_TIMEOUT(window_.heatmap()->hoveredUnit(), -1, 3000);
  EXPECT_EQ(panel->hoveredRow(), -1);
  // Hovering a row of the heatmap draws that unit's line dark in the trajectories.
  const viz::HeatmapViewport& vp = window_.heatmap()->viewport();
  const auto& rows = window_.heatmap()->rowUnits();
  const long row = static_cast<long>(std::ceil(vp.firstRow)) + 2;
  QTest::mouseMove(window_.heatmap(),
                   QPoint(window_.heatmap()->plotRect().left() + 20,
                          window_.heatmap()->plotRect().top() + static_cast<int>(vp.yOfRow(row + 0.5))));
  QTRY_COMPARE_WITH_TIMEOUT(chart->highlightedUnit(), rows[static_cast<size_t>(row)], 3000);
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {  // the whole text, as lines and as an envelope
    window_.heatmap()->showSteps(0, static_cast<double>(data.steps()));
    for (const auto background : {viz::TrajectoryBackground::EveryUnit, viz::TrajectoryBackground::Envelope}) {
      chart->setBackground(background);
      QTRY_VERIFY_WITH_TIMEOUT(chart->bundleShown(), 10000);
      chart->grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") +
                         QStringLiteral("/trajectory_whole_%1.png").arg(static_cast<int>(background)));
    }
    chart->setBackground(viz::TrajectoryBackground::EveryUnit);
  }
  // Leaving the heatmap ends its line's mark.
  auto* neutral = panel->findChild<QDoubleSpinBox*>();
  ASSERT_NE(neutral, nullptr);
  QTest::mouseMove(neutral, neutral->rect().center());
  QTRY_COMPARE_WITH_TIMEOUT(chart->highlightedUnit(), -1, 3000);
}

}  // namespace
}  // namespace lstmscope

namespace lstmscope {
namespace {

// The select dock's Lines, Opacity and Y axis drive the chart, and are kept between sessions.
TEST(SelectPanelOptions, TheDrawingOptionsDriveTheChartAndPersist) {
  const app::ViewState initial;
  QSettings settings(QDir::temp().filePath(QStringLiteral("lstmscope_select_options_test.conf")), QSettings::IniFormat);
  settings.clear();
  {
    app::SelectPanel panel(initial);
    const auto boxes = panel.findChildren<QComboBox*>();
    ASSERT_EQ(boxes.size(), 2);
    boxes[0]->setCurrentIndex(1);  // envelope
    boxes[1]->setCurrentIndex(1);  // the quantity's range
    panel.findChildren<QSpinBox*>().last()->setValue(35);
    EXPECT_EQ(panel.trajectories()->background(), viz::TrajectoryBackground::Envelope);
    EXPECT_FALSE(panel.trajectories()->fitsToWindow());
    EXPECT_DOUBLE_EQ(panel.trajectories()->opacity(), 0.35);
    panel.saveOptions(settings);
  }
  app::SelectPanel restored(initial);
  EXPECT_EQ(restored.trajectories()->background(), viz::TrajectoryBackground::EveryUnit);
  restored.restoreOptions(settings);
  EXPECT_EQ(restored.trajectories()->background(), viz::TrajectoryBackground::Envelope);
  EXPECT_FALSE(restored.trajectories()->fitsToWindow());
  EXPECT_DOUBLE_EQ(restored.trajectories()->opacity(), 0.35);
  settings.clear();
  QFile::remove(settings.fileName());
}

}  // namespace
}  // namespace lstmscope
