// The heatmap at LSTMVis scale: 100,000 steps x 1,024 units in memory (docs/APP.md, "Benchmark").
//
// Prints, measured side by side in one run:
//  - the frame render time (off the GUI thread) zoomed out, at mid zoom, zoomed in and while panning,
//    against the 16 ms frame budget and against this machine's memory-read floor for the bytes a frame
//    must read (the min/max pyramid levels it touches);
//  - the GUI thread's paint time while panning (it draws the last frame shifted: never waits for one);
//  - pyramid build time and peak memory against the raw data size;
//  - launch to first analysed frame of the real app on the demo (lstmscope --screenshot).
#include <sys/resource.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTest>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include "bench_support.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/heatmap_view.h"

using namespace lstmscope;
using namespace lstmscope::viz;

namespace {

constexpr long kUnits = 1024, kSteps = 100'000;
constexpr int kWidth = 1600, kHeight = 900;

double peakMegabytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// Smooth random walks squashed by tanh, like recorded cell states, with some saturated units.
std::shared_ptr<Mat<float>> syntheticStates() {
  auto m = std::make_shared<Mat<float>>(kUnits, kSteps);
  std::mt19937 rng(7);
  std::normal_distribution<float> step(0, 0.15f);
  std::vector<float> walk(kUnits, 0.0f);
  for (long t = 0; t < kSteps; ++t) {
    float* col = m->col(t).data();
    for (long u = 0; u < kUnits; ++u) {
      walk[u] = 0.97f * walk[u] + step(rng);
      col[u] = std::tanh(walk[u] * (u % 7 == 0 ? 4.0f : 1.0f));
    }
  }
  return m;
}

// Read bandwidth of this machine (GB/s) with as many threads as the renderer: vectorised sums over a
// buffer far larger than the caches.
double readBandwidth() {
  const Eigen::VectorXf buffer = Eigen::VectorXf::Ones(128 << 20);
  volatile float sink = 0;
  const double s = bench::medianSeconds(1, 5, [&] {
    float total = 0;
    const long half = buffer.size() / 2;
#pragma omp parallel for reduction(+ : total)
    for (int k = 0; k < 2; ++k) total += buffer.segment(k * half, half).sum();
    sink = sink + total;
  });
  return buffer.size() * sizeof(float) / s / 1e9;
}

HeatmapFrameRequest requestFor(double firstStep, double visibleSteps) {
  HeatmapFrameRequest r;
  r.viewport.steps = kSteps, r.viewport.rows = kUnits, r.viewport.width = kWidth, r.viewport.height = kHeight;
  r.viewport.showAll();
  r.viewport.showSteps(firstStep, visibleSteps);
  r.rowUnits.resize(kUnits);
  std::iota(r.rowUnits.begin(), r.rowUnits.end(), 0);
  r.scale = ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1);
  return r;
}

// Bytes a frame reads: per column, the pyramid bins (two columns: min and max) and raw steps (one) that
// tile its step span, by the renderer's own greedy rule, over all units.
double bytesPerFrame(const HeatmapData& data, const HeatmapFrameRequest& r) {
  const long largestBin = 2L << (data.pyramid().size() - 1);
  double columns = 0;
  for (int x = 0; x < kWidth; ++x) {
    const IndexSpan s = r.viewport.columnSpan(x);
    for (long pos = s.first; pos < s.end;) {
      long bin = 1;
      while (bin * 2 <= largestBin && pos % (bin * 2) == 0 && pos + bin * 2 <= s.end) bin *= 2;
      columns += bin == 1 ? 1 : 2;
      pos += bin;
    }
  }
  return columns * kUnits * sizeof(float);
}

struct FrameStats {
  double median, p95;
};

FrameStats timeFrames(const HeatmapData& data, const std::vector<HeatmapFrameRequest>& requests) {
  std::vector<double> ms;
  for (const auto& r : requests) ms.push_back(1e3 * bench::seconds([&] { (void)renderHeatmap(data, r); }));
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  std::printf("heatmap_bench: %ld steps x %ld units (%.0f MB of float32), frames %dx%d, %d threads\n", kSteps, kUnits,
              kSteps * kUnits * 4 / 1e6, kWidth, kHeight, omp_get_max_threads());
  auto values = syntheticStates();
  const double afterData = peakMegabytes();
  auto data = std::make_shared<HeatmapData>(values, values.get());
  const double pyramidSeconds = bench::seconds([&] { (void)data->pyramid(); });
  std::printf(
      "min/max pyramid: built in %.2f s (one pass, off the GUI thread); peak memory %.0f MB with data, "
      "%.0f MB with pyramid (%.2fx the raw data)\n",
      pyramidSeconds, afterData, peakMegabytes(), peakMegabytes() / (kSteps * kUnits * 4 / 1e6));

  const double bandwidth = readBandwidth();
  std::printf("memory read bandwidth (two threads): %.1f GB/s\n", bandwidth);

  struct Zoom {
    const char* name;
    double visible;
  };
  std::printf("\nrender one frame (pure function, two threads)    median    p95   /16 ms   /read floor\n");
  for (const Zoom z : {Zoom{"whole text (62 steps/px)", double(kSteps)}, Zoom{"10,000 steps (6 steps/px)", 10000},
                       Zoom{"1,600 steps (1 step/px)", 1600}, Zoom{"200 steps (8 px/step)", 200}}) {
    std::vector<HeatmapFrameRequest> pans;
    // A pan: 40 frames, each 20 px further.
    for (int k = 0; k < 40; ++k) pans.push_back(requestFor(30000 + k * 20 * z.visible / kWidth, z.visible));
    (void)renderHeatmap(*data, pans[0]);  // warm-up
    const FrameStats f = timeFrames(*data, pans);
    const double floorMs = 1e3 * bytesPerFrame(*data, pans[0]) / (bandwidth * 1e9);
    std::printf("  %-30s            %6.1f ms %5.1f ms  %5.2f   %6.1fx\n", z.name, f.median, f.p95, f.median / 16.0,
                f.median / floorMs);
  }

  // The GUI thread: paint while panning. The view draws its last frame shifted until the new one arrives.
  HeatmapView view;
  view.resize(kWidth + 200, kHeight + 100);
  QStringList tokens;
  tokens.reserve(kSteps);
  for (long s = 0; s < kSteps; ++s) tokens << QString(QChar(static_cast<char16_t>(u'a' + s % 26)));
  view.setData(data, tokens);
  std::vector<int> rows(kUnits);
  std::iota(rows.begin(), rows.end(), 0);
  view.setRowUnits(rows);
  view.setScale(ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1));
  view.show();
  view.showSteps(30000, 10000);
  for (int k = 0; k < 400 && !view.frameIsCurrent(); ++k) QTest::qWait(5);
  std::vector<double> paint, lag;
  for (int k = 0; k < 60; ++k) {
    view.showSteps(30000 + k * 125, 10000);  // 20 px per pan step
    view.repaint();
    paint.push_back(view.lastPaintMs());
    QElapsedTimer clock;
    clock.start();
    while (!view.frameIsCurrent() && clock.elapsed() < 2000) QApplication::processEvents(QEventLoop::AllEvents, 1);
    lag.push_back(clock.nsecsElapsed() / 1e6);
  }
  std::printf(
      "\nGUI thread while panning at 10,000 steps: paint median %.2f ms, max %.2f ms (budget 16 ms); a fresh "
      "frame follows after %.1f ms median\n",
      bench::median(paint), *std::max_element(paint.begin(), paint.end()), bench::median(lag));

  // Launch to first analysed frame: the real app on the embedded demo.
  std::vector<double> launch;
  for (int k = 0; k < 3; ++k) {
    QProcess p;
    p.start(QStringLiteral(LSTMSCOPE_APP),
            {QStringLiteral("--screenshot"), QStringLiteral("/tmp/lstmscope_bench_shot.png")});
    p.waitForFinished(120000);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const auto at = out.indexOf(QStringLiteral("shown after "));
    if (at >= 0) launch.push_back(out.mid(at + 12).split(QLatin1Char(' ')).first().toDouble());
  }
  if (!launch.empty())
    std::printf("launch to first analysed frame (demo, 3,587 steps, 2x256): %.2f s median of %zu (target 2 s)\n",
                bench::median(launch), launch.size());
  std::printf("peak memory of this benchmark: %.0f MB\n", peakMegabytes());
  return 0;
}
