// The heatmap renderer: each pixel is the colour of the value it stands for, whatever the zoom; the
// min/max pyramid gives the same pixels as reading every value.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"

namespace lstmscope::viz {
namespace {

std::shared_ptr<Mat<float>> randomValues(long units, long steps, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  auto m = std::make_shared<Mat<float>>(units, steps);
  for (long k = 0; k < m->size(); ++k) m->data()[k] = normal(rng);
  return m;
}

HeatmapFrameRequest request(long units, long steps, int width, int height) {
  HeatmapFrameRequest r;
  r.viewport.steps = steps, r.viewport.rows = units, r.viewport.width = width, r.viewport.height = height;
  r.viewport.showAll();
  r.rowUnits.resize(static_cast<size_t>(units));
  std::iota(r.rowUnits.begin(), r.rowUnits.end(), 0);
  r.scale = ColourScale(ColourMap::named(QStringLiteral("blue-red")), -2.5, 2.5);
  return r;
}

void expectEveryPixelMatchesBruteForce(const HeatmapData& data, const HeatmapFrameRequest& r) {
  const QImage image = renderHeatmap(data, r);
  ASSERT_EQ(image.size(), QSize(r.viewport.width, r.viewport.height));
  int mismatches = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QRgb expected = r.scale.colourOf(aggregatedValue(data, r, x, y));
      if (image.pixel(x, y) != expected && ++mismatches < 5)
        ADD_FAILURE() << "pixel " << x << "," << y << " is " << std::hex << image.pixel(x, y) << " not " << expected;
    }
  EXPECT_EQ(mismatches, 0);
}

TEST(Renderer, SpikeSurvivesZoomingOut) {
  // One unit, 8 steps, drawn 2 pixels wide: pixel 0 covers steps 0-3, pixel 1 steps 4-7. With a diverging
  // scale each shows the value farthest from zero: 0.9 and -0.2.
  auto values = std::make_shared<Mat<float>>(1, 8);
  *values << 0, 0.1f, 0, 0.9f, -0.2f, 0, 0.1f, 0;
  const HeatmapData data(values, values.get());
  HeatmapFrameRequest r = request(1, 8, 2, 1);
  r.scale = ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1);
  const QImage image = renderHeatmap(data, r);
  EXPECT_EQ(image.pixel(0, 0), r.scale.colourOf(0.9f));
  EXPECT_EQ(image.pixel(1, 0), r.scale.colourOf(-0.2f));
  EXPECT_FLOAT_EQ(aggregatedValue(data, r, 0, 0), 0.9f);
}

TEST(Renderer, ZoomedInPixelsShowTheirCell) {
  auto values = randomValues(5, 40, 1);
  const HeatmapData data(values, values.get());
  HeatmapFrameRequest r = request(5, 40, 400, 50);  // 10 x 10 pixels per cell
  const QImage image = renderHeatmap(data, r);
  for (int u = 0; u < 5; ++u)
    for (int s = 0; s < 40; ++s) EXPECT_EQ(image.pixel(10 * s + 5, 10 * u + 5), r.scale.colourOf((*values)(u, s)));
}

TEST(Renderer, RowOrderAndFilterPickTheUnits) {
  auto values = randomValues(6, 30, 2);
  const HeatmapData data(values, values.get());
  HeatmapFrameRequest r = request(6, 30, 30, 3);
  r.rowUnits = {4, 0, 5};
  r.viewport.rows = 3;
  r.viewport.showAll();
  const QImage image = renderHeatmap(data, r);
  for (int row = 0; row < 3; ++row)
    for (int s = 0; s < 30; ++s) EXPECT_EQ(image.pixel(s, row), r.scale.colourOf((*values)(r.rowUnits[row], s)));
}

TEST(Renderer, PyramidMatchesBruteForceAtEveryZoom) {
  auto values = randomValues(37, 5003, 3);
  (*values)(11, 1234) = std::nanf("");  // a NaN must show through aggregation
  (*values)(20, 4000) = 40.0f;          // and so must a spike
  const HeatmapData data(values, values.get());
  HeatmapFrameRequest r = request(37, 5003, 97, 23);  // ~52 steps and ~1.6 rows per pixel
  expectEveryPixelMatchesBruteForce(data, r);
  r.viewport.showSteps(1000.4, 733.9);  // a fractional window
  r.viewport.firstRow = 3.7, r.viewport.visibleRows = 20;
  expectEveryPixelMatchesBruteForce(data, r);
  r.viewport.width = 300, r.viewport.showSteps(4900, 103);  // ~3 pixels per step, at the ragged end
  expectEveryPixelMatchesBruteForce(data, r);
  // The NaN's pixel is the NaN colour when zoomed out.
  r = request(37, 5003, 97, 37);
  const QImage image = renderHeatmap(data, r);
  const int x = static_cast<int>(1234.5 / r.viewport.visibleSteps * 97);
  EXPECT_EQ(image.pixel(x, 11), ColourScale::nanColour);
}

TEST(Renderer, GatesAggregateTowardsTheFartherExtreme) {
  // A sequential scale on [0, 1] centres at 0.5: a pixel over {0.45, 0.97} shows 0.97, over {0.02, 0.6} 0.02.
  auto values = std::make_shared<Mat<float>>(1, 4);
  *values << 0.45f, 0.97f, 0.02f, 0.6f;
  const HeatmapData data(values, values.get());
  HeatmapFrameRequest r = request(1, 4, 2, 1);
  r.scale = ColourScale(ColourMap::named(QStringLiteral("viridis")), 0, 1);
  const QImage image = renderHeatmap(data, r);
  EXPECT_EQ(image.pixel(0, 0), r.scale.colourOf(0.97f));
  EXPECT_EQ(image.pixel(1, 0), r.scale.colourOf(0.02f));
}

}  // namespace
}  // namespace lstmscope::viz
