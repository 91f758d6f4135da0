// LSTMVis's trajectory bundle at its scale: 1,024 units as lines over 2,000 visible steps in a 1600 x 400
// plot (the select view's goal: a frame in < 16 ms off the GUI thread).
//
// Prints, measured side by side in one run: the bundle's render time and the whole off-thread frame
// (bundle and 40 selected lines), the envelope option, the heatmap's frame of the same data and size (the
// view beside it), the view's GUI-thread repaint, this machine's floor for reading the window's values
// once (a vectorised sum over the same floats), and the size of an SVG figure with every line a vector.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "bench_support.h"
#include "viz/figure_export.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/trajectory_bundle.h"
#include "viz/trajectory_chart.h"
#include "viz/trajectory_plot.h"

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

// The view's GUI-thread repaint once its image is rendered: blit, axes, threshold and a newly hovered line.
double guiPaintSeconds(const std::shared_ptr<const HeatmapData>& data, const std::vector<int>& selected) {
  TrajectoryChart chart;
  chart.resize(kWidth + 120, kHeight + 80);
  chart.setData(data, {}, QStringLiteral("bench"), QStringLiteral("value"));
  chart.setUnits(selected, selected.front());
  chart.setWindow(0, kSteps);
  chart.setHighlightedUnit(500);  // the hovered line is drawn on the GUI thread
  chart.show();
  QElapsedTimer wait;
  wait.start();
  while (!chart.bundleShown() && wait.elapsed() < 10000) QApplication::processEvents();
  QImage target(chart.size(), QImage::Format_ARGB32_Premultiplied);
  int moves = 0;
  return bench::medianSeconds(2, 9, [&] {
    chart.setHighlightedUnit(500 + moves++ % 2);  // the pointer moved to another line: drawn anew
    QPainter p(&target);
    chart.render(&p);
  });
}

// An SVG figure of every line as a vector: its size and the time to write it.
std::pair<double, double> svgFigure(TrajectoryChart& chart) {
  const QString path = QDir::temp().filePath(QStringLiteral("lstmscope_trajectory_bench.svg"));
  FigureExportOptions o;
  o.unit = FigureUnit::Millimetres, o.size = QSizeF(180, 70);
  const double seconds = bench::seconds([&] { (void)exportView(chart, path, o); });
  const double megabytes = QFileInfo(path).size() / 1e6;
  QFile::remove(path);
  return {seconds, megabytes};
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  auto values = std::make_shared<Mat<float>>(walks());
  const auto data = std::make_shared<const HeatmapData>(values, values.get());
  TrajectoryAxes axes;
  axes.plot = QRectF(0, 0, kWidth, kHeight);
  axes.firstStep = 0, axes.lastStep = kSteps - 1;
  axes.low = -1, axes.high = 1;
  const TrajectoryBundleRequest request =
      bundleRequestFor(axes, QSize(kWidth, kHeight), kUnits, TrajectoryBackground::EveryUnit, 0);
  const double bundle = bench::medianSeconds(2, 9, [&] { (void)renderTrajectoryBundle(*data, request); });
  // The whole off-thread frame: the bundle, then the most selected lines the view draws over it.
  std::vector<int> selected(TrajectoryChart::kMaxLines);
  std::iota(selected.begin(), selected.end(), 0);
  const double frame = bench::medianSeconds(2, 9, [&] {
    QImage image = renderTrajectoryBundle(*data, request);
    drawSelectedLines(image, *data, axes, selected, selected.front(), 1.0);
  });
  TrajectoryBundleRequest envelope = request;
  envelope.envelope = true;
  const double band = bench::medianSeconds(2, 9, [&] { (void)renderTrajectoryBundle(*data, envelope); });

  HeatmapFrameRequest heatmap;
  heatmap.viewport.steps = kSteps, heatmap.viewport.rows = kUnits;
  heatmap.viewport.width = kWidth, heatmap.viewport.height = kHeight;
  heatmap.viewport.showAll();
  heatmap.rowUnits = request.units;
  heatmap.scale = ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1);
  const double heatmapFrame = bench::medianSeconds(2, 9, [&] { (void)renderHeatmap(*data, heatmap); });

  const double paint = guiPaintSeconds(data, selected);
  TrajectoryChart figure;
  figure.setData(data, {}, QStringLiteral("bench"), QStringLiteral("value"));
  figure.setUnits(selected, selected.front());
  figure.setWindow(0, kSteps);
  const auto [svgSeconds, svgMegabytes] = svgFigure(figure);

  double sink = 0;
  const double read = bench::medianSeconds(2, 9, [&] { sink += values->sum(); });

  std::printf("trajectories: %ld lines x %ld steps into %d x %d px\n", kUnits, kSteps, kWidth, kHeight);
  std::printf("  bundle (all cores)                  %8.2f ms\n", bundle * 1e3);
  std::printf("  frame: bundle + %d selected lines   %8.2f ms   goal 16 ms off the GUI thread: %s\n",
              TrajectoryChart::kMaxLines, frame * 1e3, frame < 0.016 ? "met" : "NOT met");
  std::printf("  envelope instead of lines           %8.2f ms\n", band * 1e3);
  std::printf("  heatmap frame, same data and size   %8.2f ms   frame / heatmap = %.2f\n", heatmapFrame * 1e3,
              frame / heatmapFrame);
  std::printf("  GUI-thread repaint (hovered line)   %8.2f ms   goal 2 ms: %s\n", paint * 1e3,
              paint < 0.002 ? "met" : "NOT met");
  std::printf("  read floor (sum of %.1f MB)          %8.2f ms   frame / floor = %.1f\n", kUnits * kSteps * 4 / 1e6,
              read * 1e3, frame / read);
  std::printf("  SVG figure, every line a vector     %8.0f ms   %.1f MB (180 x 70 mm)\n", svgSeconds * 1e3,
              svgMegabytes);
  return sink == 12345.678 ? 1 : 0;  // keeps the sum from being optimised away
}
