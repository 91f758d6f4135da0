// The trajectory bundle draws every unit's line where its values put it: a constant line covers one row,
// a steep line never breaks between columns, a one-step spike inside a wide column is kept, overlapping
// lines add up as 1 - (1 - a)^n, and unknown units, NaN and cancellation are handled; the select view
// shows the bundle.
#include "viz/trajectory_bundle.h"

#include <gtest/gtest.h>

#include <QTest>
#include <cmath>
#include <limits>
#include <numeric>

#include "viz/heatmap_data.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::viz {
namespace {

struct Bundle {
  std::shared_ptr<Mat<float>> values;
  HeatmapData data;
  explicit Bundle(Mat<float> m) : values(std::make_shared<Mat<float>>(std::move(m))), data(values, values.get()) {}
};

TrajectoryBundleRequest request(QSize size, long steps, std::vector<int> units) {
  TrajectoryBundleRequest r;
  r.size = size;
  r.firstStep = 0, r.visibleSteps = static_cast<double>(steps);
  r.low = -1, r.high = 1;
  r.units = std::move(units);
  return r;
}

// The rows covered in column x.
std::vector<int> coveredRows(const std::vector<unsigned short>& coverage, int height, int x) {
  std::vector<int> rows;
  for (int y = 0; y < height; ++y)
    if (coverage[static_cast<size_t>(x) * height + y] > 0) rows.push_back(y);
  return rows;
}

TEST(TrajectoryBundle, AConstantLineCoversItsValuesRowInEveryColumn) {
  Bundle b(Mat<float>::Constant(1, 50, 0.5f));
  const auto coverage = bundleCoverage(b.data, request(QSize(100, 40), 50, {0}));
  for (int x = 0; x < 100; ++x) EXPECT_EQ(coveredRows(coverage, 40, x), std::vector<int>{10}) << x;  // (1-0.5)/2*40
}

TEST(TrajectoryBundle, ASteepLineNeverBreaksBetweenColumns) {
  Mat<float> m(1, 10);
  for (int s = 0; s < 10; ++s) m(0, s) = s % 2 ? 0.9f : -0.9f;  // a zigzag from near the bottom to the top
  Bundle b(std::move(m));
  const int height = 50;
  const auto coverage = bundleCoverage(b.data, request(QSize(200, height), 10, {0}));
  for (int x = 0; x < 200; ++x) {
    const std::vector<int> rows = coveredRows(coverage, height, x);
    ASSERT_FALSE(rows.empty()) << x;
    EXPECT_EQ(rows.back() - rows.front() + 1, static_cast<int>(rows.size())) << "a gap in column " << x;
    if (x == 0) continue;
    const std::vector<int> before = coveredRows(coverage, height, x - 1);
    EXPECT_TRUE(rows.front() <= before.back() + 1 && before.front() <= rows.back() + 1)
        << "columns " << x - 1 << " and " << x << " do not touch";
  }
}

TEST(TrajectoryBundle, AOneStepSpikeInsideAWideColumnIsKept) {
  Mat<float> m = Mat<float>::Constant(1, 1000, -0.5f);
  m(0, 437) = 0.99f;  // 10 steps per pixel: inside column 43
  Bundle b(std::move(m));
  const auto coverage = bundleCoverage(b.data, request(QSize(100, 100), 1000, {0}));
  EXPECT_EQ(coveredRows(coverage, 100, 43).front(), 0);
  EXPECT_EQ(coveredRows(coverage, 100, 20), std::vector<int>{75});
}

TEST(TrajectoryBundle, OverlappingLinesAddUpLikeTranslucentInk) {
  Bundle b(Mat<float>::Constant(9, 20, 0.0f));
  TrajectoryBundleRequest r = request(QSize(40, 20), 20, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  r.opacity = 0.2;
  r.colour = qRgb(0, 0, 200);
  const QImage image = renderTrajectoryBundle(b.data, r);
  ASSERT_EQ(image.size(), QSize(40, 20));
  const QRgb covered = image.pixel(5, 10), empty = image.pixel(5, 2);
  EXPECT_NEAR(qAlpha(covered), 255 * (1 - std::pow(0.8, 9)), 1.0);
  EXPECT_EQ(qAlpha(empty), 0);
  EXPECT_NEAR(qBlue(qUnpremultiply(covered)), 200, 1);  // the colour itself
  EXPECT_NEAR(bundleOpacityFor(1024), 1 / 32.0, 1e-12);
}

TEST(TrajectoryBundle, UnknownUnitsNaNAndCancellation) {
  Mat<float> m = Mat<float>::Constant(2, 30, 0.0f);
  m(1, 10) = std::numeric_limits<float>::quiet_NaN();
  Bundle b(std::move(m));
  const auto coverage = bundleCoverage(b.data, request(QSize(30, 20), 30, {1, 7, -3}));
  int total = 0;
  for (const unsigned short c : coverage) total += c;
  EXPECT_GT(total, 20);                                // unit 1 drawn where it has numbers; 7 and -3 do not exist
  EXPECT_TRUE(coveredRows(coverage, 20, 10).empty());  // its NaN step leaves a gap
  const std::atomic<bool> cancelled{true};
  EXPECT_TRUE(renderTrajectoryBundle(b.data, request(QSize(30, 20), 30, {0}), &cancelled).isNull());
}

// The select view shows every unit as a faint line before anything is selected (LSTMVis), where its
// values put it: 29 units overlapping at -0.5 are darker than the one unit at 0.8, and empty rows stay white.
TEST(TrajectoryChart, ShowsEveryUnitAsAFaintLineBeforeASelection) {
  Mat<float> m = Mat<float>::Constant(30, 40, -0.5f);
  m.row(5).setConstant(0.8f);
  auto values = std::make_shared<Mat<float>>(std::move(m));
  TrajectoryChart chart;
  chart.resize(700, 350);
  chart.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
  chart.setData(std::make_shared<HeatmapData>(values, values.get()), {}, QStringLiteral("layer 0 · c"),
                QStringLiteral("c"));
  chart.setWindow(0, 40);
  chart.setThreshold(0.3);
  EXPECT_EQ(chart.lineCount(), 0);  // nothing selected
  QTRY_VERIFY_WITH_TIMEOUT(chart.bundleShown(), 10000);
  QTest::qWait(50);
  const QImage shot = chart.grab().toImage();
  const auto greyAt = [&](double value) {
    // At step 22.5, between the grid's vertical lines.
    const QPointF position(chart.axes().xOf(22.5), chart.axes().yOf(value));
    // The darkest of the few pixels around it (a one-pixel line may fall a row beside the exact spot).
    const QPoint at = (position * shot.devicePixelRatio()).toPoint();
    int darkest = 255;
    for (int dy = -2; dy <= 2; ++dy) darkest = std::min(darkest, qGray(shot.pixel(at + QPoint(0, dy))));
    return darkest;
  };
  const int many = greyAt(-0.5), one = greyAt(0.8), none = greyAt(0.62);
  EXPECT_LT(one, 250) << "the single unit's line is not drawn";
  EXPECT_LT(many, one) << "29 overlapping lines are not darker than one";
  EXPECT_GT(none, 250) << "rows without a line are not white";
}

}  // namespace
}  // namespace lstmscope::viz
