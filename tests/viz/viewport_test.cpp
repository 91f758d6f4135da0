// Pixel <-> data mapping, zoom and pan, against hand-computed cases.
#include <gtest/gtest.h>

#include "viz/heatmap_viewport.h"

namespace lstmscope::viz {
namespace {

HeatmapViewport viewport(long steps, long rows, int width, int height) {
  HeatmapViewport vp;
  vp.steps = steps, vp.rows = rows, vp.width = width, vp.height = height;
  vp.showAll();
  return vp;
}

TEST(Viewport, MapsPixelsToSteps) {
  HeatmapViewport vp = viewport(100, 10, 200, 50);
  EXPECT_DOUBLE_EQ(vp.pixelsPerStep(), 2);
  EXPECT_DOUBLE_EQ(vp.stepAtX(3), 1.5);
  EXPECT_DOUBLE_EQ(vp.xOfStep(10), 20);
  EXPECT_EQ(vp.stepIndexAtX(3), 1);
  EXPECT_EQ(vp.stepIndexAtX(-1), -1);
  EXPECT_EQ(vp.stepIndexAtX(200), -1);
  EXPECT_EQ(vp.rowIndexAtY(49), 9);
  // Zoomed in: pixel 5 lies inside step 2, so that is the step it shows.
  EXPECT_EQ(vp.columnSpan(5), (IndexSpan{2, 3}));
  EXPECT_EQ(vp.columnSpan(4), (IndexSpan{2, 3}));
}

TEST(Viewport, ZoomedOutColumnsPartitionTheSteps) {
  HeatmapViewport vp = viewport(1000, 1, 100, 10);
  for (int x = 0; x < 100; ++x) EXPECT_EQ(vp.columnSpan(x), (IndexSpan{10L * x, 10L * x + 10})) << x;
  // A fractional window: every step whose centre is visible belongs to exactly one pixel.
  vp.showSteps(3.3, 517.7);
  vp.width = 77;
  long next = -1;
  for (int x = 0; x < vp.width; ++x) {
    const IndexSpan s = vp.columnSpan(x);
    ASSERT_GT(s.size(), 0);
    if (next >= 0) {
      EXPECT_EQ(s.first, next) << x;
    }
    next = s.end;
  }
  EXPECT_EQ(vp.columnSpan(0).first, 3);  // step 3's centre (3.5) is visible, step 2's is not
  EXPECT_EQ(next, 521);                  // steps up to 520 (centre 520.5 < 521.0)
}

TEST(Viewport, ZoomKeepsTheStepUnderTheAnchor) {
  HeatmapViewport vp = viewport(1000, 64, 500, 320);
  const double anchor = vp.stepAtX(123);
  vp.zoomSteps(4, 123);
  EXPECT_NEAR(vp.stepAtX(123), anchor, 1e-9);
  EXPECT_DOUBLE_EQ(vp.visibleSteps, 250);
  vp.zoomSteps(1e9, 10);  // cannot zoom past the minimum
  EXPECT_DOUBLE_EQ(vp.visibleSteps, HeatmapViewport::kMinVisibleSteps);
  vp.zoomSteps(1e-9, 10);  // nor out past the data
  EXPECT_DOUBLE_EQ(vp.visibleSteps, 1000);
  EXPECT_DOUBLE_EQ(vp.firstStep, 0);
  const double row = vp.rowAtY(100);
  vp.zoomRows(2, 100);
  EXPECT_NEAR(vp.rowAtY(100), row, 1e-9);
  EXPECT_DOUBLE_EQ(vp.visibleRows, 32);
}

TEST(Viewport, PanFollowsTheMouseAndStopsAtTheEdges) {
  HeatmapViewport vp = viewport(1000, 8, 500, 80);
  vp.showSteps(100, 250);  // 2 px per step
  vp.panPixels(-20, 0);    // drag left by 20 px: later steps come in
  EXPECT_DOUBLE_EQ(vp.firstStep, 110);
  vp.panPixels(1e6, 0);
  EXPECT_DOUBLE_EQ(vp.firstStep, 0);
  vp.panPixels(-1e6, 0);
  EXPECT_DOUBLE_EQ(vp.firstStep, 750);
  vp.panPixels(0, 1e6);  // all rows are visible: nothing to pan
  EXPECT_DOUBLE_EQ(vp.firstRow, 0);
}

}  // namespace
}  // namespace lstmscope::viz
