// A front end over time (docs/IMPORT.md#front-ends-over-time) on a long table: the CNN-LSTM's
// Conv1D(64, kernel 5, valid, relu) → MaxPooling1D(4) over 128 features, as the real text models that open
// through one have it, computed in float64 before the engine. Prints its time next to PyTorch's conv1d, relu and
// max_pool1d in float64 (same shapes, same threads) and next to this machine's float64 GEMM of the same
// product, all measured in this run. Then the backward pass to the input, as attribution through the front
// end runs it (step_layers_backward.h: the forward pass keeping each layer's input, then the backward pass),
// next to PyTorch's forward pass and autograd backward to the input.
//
// usage: front_end_bench [ROWS]   (default 200,000)
#include <cstdio>
#include <string>

#include "bench/bench_support.h"
#include "core/model/step_layers_backward.h"
#include "core/model/window_layers.h"

using namespace lstmscope;

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::stol(argv[1]) : 200'000;
  constexpr long kIn = 128, kFilters = 64, kKernel = 5, kPool = 4;
  const int threads = 2;
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  StepLayer conv;
  conv.kind = StepLayer::Kind::Conv;
  conv.window = kKernel;
  conv.activation = "relu";
  conv.weight = Eigen::MatrixXd::Random(kFilters, kKernel * kIn);
  conv.bias = Eigen::VectorXd::Random(kFilters);
  StepLayer pool;
  pool.kind = StepLayer::Kind::MaxPool;
  pool.window = kPool;
  pool.stride = kPool;
  const std::vector<StepLayer> chain{conv, pool};
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(kIn, rows);
  Eigen::MatrixXd y;
  const double ours = bench::medianSeconds(1, 5, [&] { y = applyStepLayers(chain, x); });
  const long outSteps = rows - kKernel + 1;
  const double flop = 2.0 * kFilters * kKernel * kIn * outSteps;

  // The same product as one float64 GEMM on a gathered (kernel × in, steps) matrix: what the arithmetic alone
  // costs on this machine (the gathering is not timed).
  const long gemmSteps = std::min(outSteps, 100'000L);
  const Eigen::MatrixXd taps = Eigen::MatrixXd::Random(kKernel * kIn, gemmSteps);
  Eigen::MatrixXd product(kFilters, gemmSteps);
  const double gemm = bench::medianSeconds(1, 5, [&] { product.noalias() = conv.weight * taps; });
  const double gemmGflops = 2.0 * kFilters * kKernel * kIn * gemmSteps / gemm / 1e9;

  bench::printTorchKernel();
  const std::string report =
      bench::run(bench::torchPython() + " " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_front_end.py " +
                 std::to_string(rows) + " " + std::to_string(threads) + " 5");
  const double torch = bench::valueAfter(report, "torch_front_end_ms") / 1e3;

  std::printf(
      "front end Conv1D(%ld, kernel %ld, valid, relu) -> MaxPooling1D(%ld) over %ld rows x %ld features, "
      "float64, %d threads\n",
      kFilters, kKernel, kPool, rows, kIn, threads);
  std::printf("  LSTMScope: %.3f s (%.1f GFLOP/s), %ld LSTM steps\n", ours, flop / ours / 1e9, y.cols());
  std::printf("  PyTorch conv1d + relu + max_pool1d: %.3f s  -> ours takes %.2fx its time\n", torch, ours / torch);
  std::printf("  this machine's float64 GEMM of the same product: %.1f GFLOP/s -> ours reaches %.0f%% of it\n",
              gemmGflops, 100.0 * flop / ours / 1e9 / gemmGflops);

  // Backward: forward with the layers' inputs kept, the convolution's pre-activation again, and the transposed
  // product (three times the forward product's arithmetic in all).
  const Eigen::MatrixXd gradOut = Eigen::MatrixXd::Random(kFilters, y.cols());
  Eigen::MatrixXd gradIn;
  const double backward =
      bench::medianSeconds(1, 5, [&] { gradIn = stepLayersBackward(chain, stepLayerInputs(chain, x), gradOut); });
  const double torchBackward = bench::valueAfter(report, "torch_front_end_backward_ms") / 1e3;
  std::printf("  backward to the input (forward kept + backward): LSTMScope %.3f s (%.1f GFLOP/s of 3 products)\n",
              backward, 3 * flop / backward / 1e9);
  std::printf("  PyTorch forward + autograd backward: %.3f s  -> ours takes %.2fx its time\n", torchBackward,
              backward / torchBackward);
  std::printf("  against this machine's GEMM: %.0f%% of it\n", 100.0 * 3 * flop / backward / 1e9 / gemmGflops);
  return 0;
}
