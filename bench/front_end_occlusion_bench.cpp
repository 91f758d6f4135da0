// Occlusion through a front end (docs/ATTRIBUTION.md "Through the front end") on a table of ROWS rows: every
// row replaced by zeros in turn, the score of a head on the LSTM's final state taken again. A window of rows
// reaches a few of the front end's steps (front_end_patch.h) and the LSTM runs windows in batches from the
// clean run's state before them (occlusion.h). Printed next to the same work done one window at a time
// through the whole front end and model (what LSTMScope did before; timed on a sample of windows and scaled),
// next to PyTorch running batches of occluded copies of the whole table (a research script's or Captum's way),
// and next to this machine's float64 GEMM at a batched step's shape, all measured in this run.
//
// usage: front_end_occlusion_bench [ROWS]   (default 2,000)
#include <cstdio>
#include <string>

#include "bench/bench_support.h"
#include "core/attribution/front_end_attribution.h"
#include "core/training/init.h"

using namespace lstmscope;

namespace {

constexpr long kFeatures = 8, kFilters = 16, kKernel = 5, kPool = 2, kHidden = 32, kTorchBatch = 256;

// kFeatures raw features → Conv1D(kFilters, kKernel, same, relu) → MaxPooling1D(kPool) → LSTM(kHidden) → a
// linear head on the final state.
Network<double> convForecaster() {
  Architecture a;
  a.name = "conv forecaster";
  a.task = Task::Regression;
  a.inputKind = InputKind::Features;
  a.featureDim = kFilters;
  a.layers.push_back({kHidden, false, GateActivation::Sigmoid, CellActivation::Tanh});
  a.head = HeadSpec{{}, HeadActivation::Linear, HeadReads::FinalStates, {}, {}, 0};
  Model model = initialiseModel(a, {0, {}, 1}, 5);
  StepLayer conv;
  conv.kind = StepLayer::Kind::Conv;
  conv.window = kKernel, conv.padding = StepLayer::Padding::Same, conv.activation = "relu";
  conv.weight = Eigen::MatrixXd::Random(kFilters, kKernel * kFeatures);
  conv.bias = Eigen::VectorXd::Random(kFilters);
  StepLayer pool;
  pool.kind = StepLayer::Kind::MaxPool;
  pool.window = kPool, pool.stride = kPool;
  model.arch.frontEnd = {conv, pool};
  return onInputVectors(model.cast<double>());
}

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::stol(argv[1]) : 2'000;
  const int threads = 2;
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  const Network<double> net = convForecaster();
  const Mat<double> raw = Mat<double>::Random(kFeatures, rows);
  const long steps = rows / kPool;
  const AttributionTarget target{steps - 1, 0};
  AttributionSettings settings;
  settings.window = 1;
  TokenAttribution ours;
  const double oursSeconds = bench::seconds(
      [&] { ours = attributeThroughFrontEnd(AttributionMethod::Occlusion, net, raw, target, settings); });

  // One window at a time through everything: a sample of windows, scaled to all (each costs the same).
  const long sample = std::min(rows, 50L);
  const double clean = targetScore(net, applyFrontEnd(net.arch, raw), target);
  double worst = 0;
  const double sampleSeconds = bench::seconds([&] {
    Mat<double> occluded = raw;
    for (long r = 0; r < sample; ++r) {
      occluded.col(r).setZero();
      const double drop = clean - targetScore(net, applyFrontEnd(net.arch, occluded), target);
      worst = std::max(worst, std::abs(drop - ours.perToken(r)));
      occluded.col(r) = raw.col(r);
    }
  });
  const double oneAtATime = sampleSeconds * static_cast<double>(rows) / static_cast<double>(sample);

  bench::printTorchKernel();
  const std::string report =
      bench::run(bench::torchPython() + " " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_front_end_occlusion.py " +
                 std::to_string(rows) + " " + std::to_string(kFeatures) + " " + std::to_string(kFilters) + " " +
                 std::to_string(kKernel) + " " + std::to_string(kPool) + " " + std::to_string(kHidden) + " " +
                 std::to_string(kTorchBatch) + " " + std::to_string(threads));
  const double torch = bench::valueAfter(report, "torch_occlusion_ms") / 1e3;

  // The LSTM's arithmetic that occlusion cannot avoid: window r changes steps from r / kPool on, each run to
  // the last step; 2 · 4H · (in + H) flops per step.
  double stepRuns = 0;
  for (long r = 0; r < rows; ++r) stepRuns += static_cast<double>(steps - std::max(0L, (r - kKernel / 2) / kPool));
  const double flop = stepRuns * 2.0 * 4 * kHidden * (kFilters + kHidden);
  // This machine's float64 GEMM at a batched step's shape: the gates of 256 runs, (4H × (in + H)) · ((in + H) × 256).
  const Eigen::MatrixXd gates = Eigen::MatrixXd::Random(4 * kHidden, kFilters + kHidden);
  const Eigen::MatrixXd inputs = Eigen::MatrixXd::Random(kFilters + kHidden, 256);
  Eigen::MatrixXd z(4 * kHidden, 256);
  const double gemmSeconds = bench::medianSeconds(1, 5, [&] {
    for (int k = 0; k < 1000; ++k) z.noalias() = gates * inputs;
  });
  const double gemmGflops = 1000 * 2.0 * gates.size() * 256 / gemmSeconds / 1e9;

  std::printf(
      "occlusion of %ld rows x %ld features through Conv1D(%ld, kernel %ld, same, relu) -> MaxPooling1D(%ld) "
      "-> LSTM(%ld) -> final-state head, float64, %d threads\n",
      rows, kFeatures, kFilters, kKernel, kPool, kHidden, threads);
  std::printf("  LSTMScope: %.3f s (%.2f GFLOP/s of LSTM arithmetic, %.3g step-runs)\n", oursSeconds,
              flop / oursSeconds / 1e9, stepRuns);
  std::printf("  one window at a time through everything (before): %.1f s (scaled from %ld windows) -> %.0fx ours\n",
              oneAtATime, sample, oneAtATime / oursSeconds);
  std::printf("    largest difference from ours on those windows: %.2g (score %.3g)\n", worst, clean);
  std::printf("  PyTorch, batches of %ld occluded copies of the whole table: %.3f s -> ours takes %.2fx its time\n",
              kTorchBatch, torch, oursSeconds / torch);
  std::printf(
      "  this machine's float64 GEMM at a batched step's shape (%ld x %ld times %ld x 256): %.1f GFLOP/s -> "
      "ours reaches %.0f%% of it (the gates' exp and tanh are the rest)\n",
      4 * kHidden, kFilters + kHidden, kFilters + kHidden, gemmGflops, 100 * flop / oursSeconds / 1e9 / gemmGflops);
  return 0;
}
