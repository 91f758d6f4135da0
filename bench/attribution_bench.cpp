// Attribution on a 2x512 character model (docs/ATTRIBUTION.md, "Speed"), against PyTorch autograd and this machine's
// GEMM throughput in one run:
// - Integrated Gradients, 64 midpoint steps over 200 tokens: ours (float64, all steps as one batch) against
//   PyTorch (float32 and float64);
// - the all-targets matrix over 500 tokens: ours (float64, targets batched as adjoint columns) against one
//   backward pass per target, ours and PyTorch's (float64, timed on a sample of targets and scaled up).
// With `--demo MODEL TEXT STEP` instead: what the app's Attribution dock computes by default for the
// target at STEP (IG with 64 points plus the unit attributions), timed whole and part by part.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "bench_support.h"
#include "core/attribution/all_targets.h"
#include "core/attribution/attribution_report.h"
#include "core/attribution/gradient_attribution.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "core/training/init.h"

using namespace lstmscope;

void benchAllTargets(const Model& model, const std::string& dir, const bench::Throughput& peak) {
  constexpr int kSteps = 500, kSample = 20;
  std::mt19937 rng(2);
  Inputs<double> tokens;
  tokens.steps = kSteps;
  std::ofstream list(dir + "/tokens500.txt");
  for (int t = 0; t < kSteps; ++t) {
    tokens.tokens.push_back(static_cast<int>(rng() % model.arch.vocab.size()));
    list << tokens.tokens.back() << ' ';
  }
  list.close();
  const Network<double> net = model.cast<double>();
  const Network<double> vectors = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens);
  const std::vector<AttributionTarget> targets = defaultTargetsOfEveryStep(net, tokens);
  TargetMatrix m;
  const double batched =
      bench::medianSeconds(0, 1, [&] { m = allTargetsMatrix(vectors, x, targets, MatrixMethod::GradientTimesInput); });
  const double single =
      bench::medianSeconds(0, 1,
                           [&] {
                             for (int k = 0; k < kSample; ++k)
                               gradientTimesInput(vectors, x, targets[static_cast<size_t>(kSteps - 1 - k * 25)]);
                           }) /
      kSample * kSteps;
  // Backward work of the whole matrix: each target reaches back to step 0, so on average T/2 steps of
  // the two layers' recurrent and input products (the dominant multiply-adds).
  const auto& layers = model.arch.layers;
  const double perStep = 4.0 * layers[0].hidden * (2.0 * layers[0].hidden + model.arch.inputWidth()) +
                         4.0 * layers[1].hidden * (3.0 * layers[1].hidden);
  const double flop = 2.0 * perStep * kSteps * (kSteps + 1) / 2.0;
  const std::string report =
      bench::run(bench::torchPython() + " " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_matrix.py " + dir +
                 "/model.h5 " + dir + "/tokens500.txt " + std::to_string(kSample) + " 2");
  const double torch = bench::valueAfter(report, "torch_matrix_s_float64");
  std::printf("All-targets matrix (gradient x input), %d x %d, %dx%d model, float64\n", kSteps, kSteps,
              static_cast<int>(layers.size()), layers[0].hidden);
  // This machine's float64 GEMM at the shape of one batched step: (4H x H)^T times (4H x 64 targets).
  const Mat<double> W = Mat<double>::Random(4 * 512, 512), Z = Mat<double>::Random(4 * 512, 64);
  Mat<double> out(512, 64);
  const double gemm = bench::medianSeconds(2, 5, [&] {
    for (int k = 0; k < 20; ++k) out.noalias() += W.transpose() * Z;
  });
  const double doublePeak = 20 * 2.0 * W.size() * Z.cols() / gemm / 1e9;
  std::printf(
      "  ours, batched adjoints:         %.2f s  (%.1f GFLOP/s; float64 GEMM of that shape here %.0f "
      "GFLOP/s, float32 GEMM peak %.0f)\n",
      batched, flop / batched / 1e9, doublePeak, peak.gemmGflops);
  std::printf("  ours, one backward per target:  %.2f s  -> batched is %.1fx faster\n", single, single / batched);
  std::printf("  PyTorch, one backward per target: %.2f s  -> ours is %.1fx faster\n", torch, torch / batched);
  std::printf("  row %d sum: ours %.12g, PyTorch %s\n", kSteps - 1, m.values.row(kSteps - 1).sum(),
              report
                  .substr(report.find("torch_matrix_row_sum"),
                          report.find('\n', report.find("torch_matrix_row_sum")) - report.find("torch_matrix_row_sum"))
                  .c_str());
}

// IG float32 on the demo prefix against its multiply-adds, this machine's float GEMM, other batch sizes
// (memory budgets) and PyTorch autograd on the same prefix and points.
void benchDemoThroughput(const Model& model, const Network<double>& vectors, const Mat<double>& x,
                         const std::vector<int>& prefixTokens, const AttributionRequest& request,
                         const std::string& modelPath, long step) {
  const auto& arch = model.arch;
  // Forward: every layer's input and recurrent products; backward: the recurrent and input adjoints.
  double perColumn = 0;
  long width = arch.inputWidth();
  for (const LayerSpec& spec : arch.layers) {
    const double gates = 4.0 * spec.hidden * spec.directions();
    perColumn += 2 * 2 * gates * (width + spec.hidden);
    width = spec.hidden * spec.directions();
  }
  const int points = request.settings.steps;
  const double flop = perColumn * static_cast<double>(x.cols()) * points;
  const bench::Throughput peak = bench::measureThroughput(arch.layers[0].hidden, arch.layers[0].hidden, 4096);
  const Mat<double> zero = Mat<double>::Zero(x.rows(), x.cols());
  std::printf("  IG float32 alone, %.0f GFLOP of products; float GEMM here %.0f GFLOP/s (a floor of %.2f s):\n",
              flop / 1e9, peak.gemmGflops, flop / 1e9 / peak.gemmGflops);
  for (const long budget : {1L << 28, kIgMemoryBytes, 1L << 32}) {
    const int batch = igPointsPerBatch(vectors, x, points, Precision::Float32, budget);
    const double s = bench::seconds([&] {
      integratedGradients(vectors, x, zero, request.target, request.settings.rule, points, Precision::Float32, {},
                          budget);
    });
    std::printf("    memory budget %5ld MB: %3d points per batch, %.2f s, %.0f GFLOP/s (%.0f %% of GEMM)\n",
                budget >> 20, batch, s, flop / s / 1e9, 100 * flop / s / 1e9 / peak.gemmGflops);
  }
  const std::string dir = std::filesystem::temp_directory_path() / "lstmscope_attribution_bench";
  std::filesystem::create_directories(dir);
  std::ofstream list(dir + "/demo_tokens.txt");
  for (const int t : prefixTokens) list << t << ' ';
  list.close();
  const std::string report =
      bench::run(bench::torchPython() + " " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_ig.py " + modelPath + " " +
                 dir + "/demo_tokens.txt " + std::to_string(points) + " 2 1");
  std::printf("    PyTorch autograd, all %d points as one batch, float32: %.2f s (target: its argmax at step %ld)\n",
              points, bench::valueAfter(report, "torch_ig_ms_float32") / 1e3, step);
}

// The app's default request at `step` of `textPath` (docs/APP.md, "Attribution"), in both precisions.
int benchDemo(const std::string& modelPath, const std::string& textPath, long step) {
  const Model model = loadModel(modelPath);
  const EncodedText encoded = encodeText(model.arch, readFileBytes(textPath, 1L << 30), textPath, 1L << 30);
  Inputs<double> tokens;
  tokens.steps = encoded.inputs.steps;
  tokens.tokens = encoded.inputs.tokens;
  const Network<double> net = model.cast<double>();
  AttributionRequest request;
  request.target = defaultTarget(net, tokens, step);
  request.methods = {AttributionMethod::IntegratedGradients};
  std::printf("Demo: %s, %d steps, target at step %ld, IG %d midpoint points\n", modelPath.c_str(), tokens.steps, step,
              request.settings.steps);
  std::vector<Vec<double>> perToken;
  for (const Precision precision : {Precision::Float32, Precision::Float64}) {
    request.settings.precision = precision;
    const char* name = precision == Precision::Float32 ? "float32" : "float64";
    long reports = 0;
    ProgressCallbacks callbacks;
    callbacks.progress = [&](long, long) { ++reports; };
    AttributionReport report;
    const double whole = bench::seconds([&] { report = computeAttribution(net, tokens, request, callbacks); });
    AttributionRequest igOnly = request;
    igOnly.unitAttribution = false;
    const double ig = bench::seconds([&] { computeAttribution(net, tokens, igOnly); });
    std::printf("  %s: whole request %.2f s (IG alone %.2f s), %ld progress reports, delta %.3g\n", name, whole, ig,
                reports, *report.methods[0].values.convergenceDelta);
    perToken.push_back(report.methods[0].values.perToken);
  }
  std::printf("  float32 vs float64: largest per-token difference %.3g of the largest attribution %.3g\n",
              (perToken[0] - perToken[1]).cwiseAbs().maxCoeff(), perToken[1].cwiseAbs().maxCoeff());
  const Network<double> vectors = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens).leftCols(step + 1);
  benchDemoThroughput(model, vectors, x, {tokens.tokens.begin(), tokens.tokens.begin() + step + 1}, request, modelPath,
                      step);
  const double units = bench::seconds([&] { unitAttribution(vectors, x, request.target); });
  const double lrp = bench::seconds([&] { layerwiseRelevance(vectors, x, request.target, request.settings.lrp); });
  std::printf("  of the unit attributions: gradient x activation %.2f s, LRP %.2f s\n", units, lrp);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--demo") return benchDemo(argv[2], argv[3], std::stol(argv[4]));
  bench::printTorchKernel();
  constexpr int kHidden = 512, kLayers = 2, kSteps = 200, kIgSteps = 64, kEmbedding = 64, kVocab = 96;
  Architecture arch;
  arch.name = "bench";
  std::vector<std::string> chars;
  for (int c = 0; c < kVocab; ++c)
    chars.push_back(std::string(1, static_cast<char>(32 + c % 95)) + (c >= 95 ? "x" : ""));
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
  const double ours = bench::medianSeconds(
      1, 3, [&] { ig = integratedGradients(vectors, x, zero, target, QuadratureRule::Midpoint, kIgSteps); });
  TokenAttribution ig32;
  const double ours32 = bench::medianSeconds(1, 3, [&] {
    ig32 = integratedGradients(vectors, x, zero, target, QuadratureRule::Midpoint, kIgSteps, Precision::Float32);
  });
  // Forward + backward of the batch: about 3x the forward's multiply-adds.
  const double forwardFlop = 2.0 * kIgSteps * kSteps * 4.0 * kHidden * ((kEmbedding + kHidden) + (kHidden + kHidden));
  const double flop = 3 * forwardFlop;
  const bench::Throughput peak = bench::measureThroughput(kHidden, kHidden, kIgSteps * 16);
  const std::string report =
      bench::run(bench::torchPython() + " " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_ig.py " + dir + "/model.h5 " +
                 dir + "/tokens.txt " + std::to_string(kIgSteps) + " 2");
  const double torch32 = bench::valueAfter(report, "torch_ig_ms_float32") / 1e3;
  const double torch64 = bench::valueAfter(report, "torch_ig_ms_float64") / 1e3;
  const double torch32ftz = bench::valueAfter(report, "torch_ig_ms_float32_ftz") / 1e3;
  std::printf("Integrated Gradients, %d midpoint steps, %dx%d model, %d tokens, zero baseline\n", kIgSteps, kLayers,
              kHidden, kSteps);
  std::printf("  ours (float64, one batch):  %.2f s  (%.1f GFLOP/s; float GEMM peak here %.0f GFLOP/s)\n", ours,
              flop / ours / 1e9, peak.gemmGflops);
  std::printf("  ours (float32 path):        %.2f s  (%.1f GFLOP/s = %.0f%% of float GEMM peak)\n", ours32,
              flop / ours32 / 1e9, 100 * flop / ours32 / 1e9 / peak.gemmGflops);
  std::printf(
      "  PyTorch autograd float32 (denormals as they come): %.2f s  -> ours float64 is %.2fx, ours float32 %.2fx "
      "its speed\n",
      torch32, torch32 / ours, torch32 / ours32);
  std::printf(
      "  PyTorch float32, denormals flushed (torch.set_flush_denormal, as we do): %.2f s  -> ours float32 "
      "%.2fx its speed\n",
      torch32ftz, torch32ftz / ours32);
  std::printf("  PyTorch autograd float64:   %.2f s  -> ours is %.2fx its speed\n", torch64, torch64 / ours);
  std::printf("  sum of attributions: ours %.10g (float32 path %.10g), PyTorch float64 %.10g; delta %.3g\n",
              ig.perToken.sum(), ig32.perToken.sum(), bench::valueAfter(report, "torch_ig_sum"), *ig.convergenceDelta);
  std::printf("  float32 path vs float64: largest per-token difference %.3g of the largest attribution %.3g\n",
              (ig32.perToken - ig.perToken).cwiseAbs().maxCoeff(), ig.perToken.cwiseAbs().maxCoeff());
  benchAllTargets(model, dir, peak);
  return 0;
}
