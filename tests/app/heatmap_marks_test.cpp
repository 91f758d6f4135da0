// What the heatmap draws over its cells, checked on the pixels a user sees after real mouse input: the
// hover label and focus frame leave the cells' colours alone, and the current-unit outline stands out on
// every colour map.
#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include "tests/app/test_window.h"
#include "viz/heatmap_figure.h"

namespace lstmscope::app {
namespace {

class HeatmapMarksTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::openDemoForTest(window_));
    window_.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window_));
  }

  void waitForFrame() {
    for (int k = 0; k < 500 && !window_.heatmap()->frameIsCurrent(); ++k) QTest::qWait(10);
    ASSERT_TRUE(window_.heatmap()->frameIsCurrent());
    QApplication::processEvents();
  }

  // The widget point at the centre of (step, display row).
  QPoint cellCentre(long step, double row) const {
    const viz::HeatmapView* view = window_.heatmap();
    return {view->plotRect().left() + static_cast<int>(view->viewport().xOfStep(step + 0.5)),
            view->plotRect().top() + static_cast<int>(view->viewport().yOfRow(row + 0.5))};
  }

  MainWindow window_;
};

TEST_F(HeatmapMarksTest, HoverOverAFocusedHeatmapKeepsTheCellColours) {
  window_.controls()->setQuantity(Quantity::F);  // a gate: sequential map on [0, 1]
  window_.controls()->setUnitFilter(QStringLiteral("0-15"));
  emit window_.controls()->changed();
  viz::HeatmapView* view = window_.heatmap();
  view->showSteps(200, 60);
  waitForFrame();
  QTest::mouseClick(view, Qt::LeftButton, {}, cellCentre(210, 2.0));  // picks a cell, and gives focus
  ASSERT_TRUE(view->hasFocus());
  waitForFrame();
  QTest::mouseMove(view, cellCentre(220, 8.0));  // the pointer stays over the plot
  QApplication::processEvents();
  const QImage shot = view->grab().toImage();
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    shot.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/hover-focused.png"));
  const Mat<float>& values = window_.recording()->values(1, 0, Quantity::F);
  int checked = 0;
  // Cells away from the hover label (right of and below the pointer), the current step and the current unit.
  for (long step : {203L, 206L, 214L, 245L, 252L, 258L})
    for (long row : {0L, 5L, 13L, 15L}) {
      const QPoint at = cellCentre(step, static_cast<double>(row));
      const float value = values(view->rowUnits()[static_cast<size_t>(row)], step);
      EXPECT_EQ(shot.pixel(at) & 0xffffff, view->scale().colourOf(value) & 0xffffff)
          << "step " << step << " row " << row << " value " << value;
      ++checked;
    }
  EXPECT_EQ(checked, 24);
}

TEST_F(HeatmapMarksTest, TheCurrentUnitOutlineStandsOutOnTheDivergingMap) {
  viz::HeatmapView* view = window_.heatmap();
  ASSERT_EQ(view->scale().map().kind(), viz::ColourMap::Kind::Diverging);  // tanh(c), the default: blue-red
  window_.controls()->setUnitFilter(QStringLiteral("0-15"));
  emit window_.controls()->changed();
  view->showSteps(200, 60);
  waitForFrame();
  QTest::mouseClick(view, Qt::LeftButton, {}, cellCentre(210, 6.0));
  ASSERT_EQ(window_.state().currentUnit, view->rowUnits()[6]);
  QTest::mouseMove(window_.textEditor(), QPoint(5, 5));  // no hover label over the plot
  waitForFrame();
  const QImage shot = view->grab().toImage();
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    shot.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/current-unit.png"));
  // Along the outline's top and bottom edges, away from the current step: the pixels that are no colour of
  // the map are the outline's, and they must differ clearly from every colour of the map.
  const auto& table = view->scale().map().table();
  const auto nearestMapColour = [&](QRgb pixel) {
    double nearest = 1e9;
    for (const QRgb entry : table) nearest = std::min(nearest, viz::colourDifference(pixel, entry));
    return nearest;
  };
  const int top = view->plotRect().top() + static_cast<int>(view->viewport().yOfRow(6));
  const int bottom = view->plotRect().top() + static_cast<int>(view->viewport().yOfRow(7));
  for (long step : {202L, 230L, 250L}) {
    const int x = cellCentre(step, 6).x();
    for (const int edge : {top, bottom}) {
      double clearest = 0;
      for (int y = edge - 1; y <= edge + 1; ++y) clearest = std::max(clearest, nearestMapColour(shot.pixel(x, y)));
      EXPECT_GT(clearest, 25) << "step " << step << " edge at y " << edge;
    }
  }
}

}  // namespace
}  // namespace lstmscope::app
