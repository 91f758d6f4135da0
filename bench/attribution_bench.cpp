// Integrated Gradients at the scale: 64 midpoint steps on a 2x512 character model over 200 tokens,
// ours (float64, all steps as one batch) against PyTorch autograd (float32 and float64) in one run, and
// against this machine's GEMM throughput.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "bench_support.h"
#include "core/attribution/gradient_attribution.h"
#include "core/formats/native_model.h"
#include "core/training/init.h"

using namespace lstmscope;

int main() {
  constexpr int kHidden = 512, kLayers = 2, kSteps = 200, kIgSteps = 64, kEmbedding = 64, kVocab = 96;
  Architecture arch;
  arch.name = "bench";
  std::vector<std::string> chars;
  for (int c = 0; c < kVocab; ++c) chars.push_back(std::string(1, static_cast<char>(32 + c % 95)) + (c >= 95 ? "x" : ""));
  arch.vocab = Vocabulary(TokenLevel::Char, chars);
  arch.hasEmbedding = true;
  for (int l = 0; l < kLayers; ++l) arch.layers.push_back(LayerSpec{kHidden, false});
  arch.head = HeadSpec{};
  const Model model = initialiseModel(arch, InitShape{kEmbedding, {}, kVocab}, 3);
  const std::string dir = std::filesystem::temp_directory_path() / "lstmscope_attribution_bench";
  std::filesystem::create_directories(dir);
  saveNativeModel(model, dir + "/model.h5");
  std::mt19937 rng(1);
  Inputs<double> tokens;
  tokens.steps = kSteps;
  std::ofstream list(dir + "/tokens.txt");
  for (int t = 0; t < kSteps; ++t) {
    tokens.tokens.push_back(static_cast<int>(rng() % kVocab));
    list << tokens.tokens.back() << ' ';
  }
  list.close();

  const Network<double> net = model.cast<double>();
  const Network<double> vectors = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens), zero = baselineVectors(net, kSteps, std::nullopt);
  AttributionTarget target{kSteps - 1, 0};
  target = defaultTarget(net, tokens, kSteps - 1);
  TokenAttribution ig;
  const double ours = bench::medianSeconds(1, 3, [&] {
    ig = integratedGradients(vectors, x, zero, target, QuadratureRule::Midpoint, kIgSteps);
  });
  // Forward + backward of the batch: about 3x the forward's multiply-adds.
  const double forwardFlop = 2.0 * kIgSteps * kSteps * 4.0 * kHidden * ((kEmbedding + kHidden) + (kHidden + kHidden));
  const double flop = 3 * forwardFlop;
  const bench::Throughput peak = bench::measureThroughput(kHidden, kHidden, kIgSteps * 16);
  const std::string report = bench::run("/usr/bin/python3 " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_ig.py " +
                                        dir + "/model.h5 " + dir + "/tokens.txt " + std::to_string(kIgSteps) + " 2");
  const double torch32 = bench::valueAfter(report, "torch_ig_ms_float32") / 1e3;
  const double torch64 = bench::valueAfter(report, "torch_ig_ms_float64") / 1e3;
  std::printf("Integrated Gradients, %d midpoint steps, %dx%d model, %d tokens, zero baseline\n", kIgSteps, kLayers,
              kHidden, kSteps);
  std::printf("  ours (float64, one batch):  %.2f s  (%.1f GFLOP/s; float GEMM peak here %.0f GFLOP/s)\n", ours,
              flop / ours / 1e9, peak.gemmGflops);
  std::printf("  PyTorch autograd float32:   %.2f s  -> ours is %.2fx its speed\n", torch32, torch32 / ours);
  std::printf("  PyTorch autograd float64:   %.2f s  -> ours is %.2fx its speed\n", torch64, torch64 / ours);
  std::printf("  sum of attributions: ours %.10g, PyTorch float64 %.10g; delta %.3g\n", ig.perToken.sum(),
              bench::valueAfter(report, "torch_ig_sum"), *ig.convergenceDelta);
  return 0;
}
