// LSTMVis's trajectory bundle at its scale: 1,024 units as lines over 2,000 visible steps in a 1600 x 400
// plot (the select view's goal: a frame in < 16 ms off the GUI thread).
//
// Prints, measured side by side in one run: the bundle's render time; the heatmap's frame of the same
// data and size (the view beside it); and this machine's floor for reading the window's values once
// (a vectorised sum over the same floats).
#include <QApplication>
#include <QElapsedTimer>
#include <QPainter>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "bench_support.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/trajectory_bundle.h"
#include "viz/trajectory_chart.h"

using namespace lstmscope;
using namespace lstmscope::viz;

namespace {

constexpr long kUnits = 1024, kSteps = 2000;
constexpr int kWidth = 1600, kHeight = 400;

// Smooth random walks squashed by tanh, like recorded cell states.
Mat<float> walks() {
  Mat<float> m(kUnits, kSteps);
  std::mt19937 rng(7);
  std::normal_distribution<float> step(0.f, 0.15f);
  for (long u = 0; u < kUnits; ++u) {
    float x = 0;
    for (long s = 0; s < kSteps; ++s) m(u, s) = std::tanh(x += step(rng));
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  auto values = std::make_shared<Mat<float>>(walks());
  const HeatmapData data(values, values.get());
  TrajectoryBundleRequest request;
  request.size = QSize(kWidth, kHeight);
  request.firstStep = 0, request.visibleSteps = kSteps;
  request.units.resize(kUnits);
  std::iota(request.units.begin(), request.units.end(), 0);
  request.opacity = bundleOpacityFor(kUnits);
  const double bundle = bench::medianSeconds(2, 9, [&] { (void)renderTrajectoryBundle(data, request); });

  HeatmapFrameRequest heatmap;
  heatmap.viewport.steps = kSteps, heatmap.viewport.rows = kUnits;
  heatmap.viewport.width = kWidth, heatmap.viewport.height = kHeight;
  heatmap.viewport.showAll();
  heatmap.rowUnits = request.units;
  heatmap.scale = ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1);
  (void)data.pyramid();
  const double frame = bench::medianSeconds(2, 9, [&] { (void)renderHeatmap(data, heatmap); });

  // The view on the GUI thread: what one repaint costs once the bundle is rendered (goal < 2 ms), with the
  // most selected lines it draws on top.
  TrajectoryChart chart;
  chart.resize(kWidth + 120, kHeight + 80);
  chart.setData(std::shared_ptr<const HeatmapData>(std::shared_ptr<const void>(), &data), {}, QStringLiteral("bench"),
                QStringLiteral("value"));
  std::vector<int> selected(TrajectoryChart::kMaxLines);
  std::iota(selected.begin(), selected.end(), 0);
  chart.setUnits(selected, 3);
  chart.setWindow(0, kSteps);
  chart.show();
  QElapsedTimer wait;
  wait.start();
  while (!chart.bundleShown() && wait.elapsed() < 10000) QApplication::processEvents();
  QImage target(chart.size(), QImage::Format_ARGB32_Premultiplied);
  const double paint = bench::medianSeconds(2, 9, [&] {
    QPainter p(&target);
    chart.render(&p);
  });
  std::printf("  GUI paint, %d selected lines %8.2f ms   goal 2 ms\n", TrajectoryChart::kMaxLines, paint * 1e3);

  double sink = 0;
  const double read = bench::medianSeconds(2, 9, [&] { sink += values->sum(); });

  std::printf("trajectory bundle: %ld lines x %ld steps into %d x %d px\n", kUnits, kSteps, kWidth, kHeight);
  std::printf("  bundle frame (all cores)       %8.2f ms   budget 16 ms: %s\n", bundle * 1e3,
              bundle < 0.016 ? "met" : "NOT met");
  std::printf("  heatmap frame, same data/size  %8.2f ms   bundle / heatmap = %.2f\n", frame * 1e3, bundle / frame);
  std::printf("  read floor (sum of %.1f MB)     %8.2f ms   bundle / floor = %.1f\n", kUnits * kSteps * 4 / 1e6,
              read * 1e3, bundle / read);
  return sink == 12345.678 ? 1 : 0;  // keeps the sum from being optimised away
}
