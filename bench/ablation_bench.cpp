// The full single-unit ablation sweep of issue "Interventions" (docs/INTERVENTIONS.md "Speed"): a 2 x 512
// char model, c of every unit of both layers set to zero at every step of a 200-step text, one run per
// unit (1,024 runs), the target the log-probability of one token at the last step. Ours (ablationSweep,
// float32) against the same sweep in PyTorch batched and one run at a time (bench/torch_ablation.py),
// measured side by side, with this machine's GEMM throughput.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "bench/bench_models.h"
#include "bench/bench_support.h"
#include "core/engine/external_gemm.h"
#include "core/engine/packed_weights.h"
#include "core/formats/native_model.h"
#include "core/intervention/ablation.h"

using namespace lstmscope;
using namespace lstmscope::bench;

// Our kernel's own rate on the sweep's product (4H x H weights times about 32 columns, one product per core,
// both cores at once, h packed at every call as at every step), in GFLOP/s: the ceiling of the sweep's rate.
double ownKernelGflops(long H, long columns, int threads) {
  if (!kernels::packedWeightsAvailable()) return 0;
  const Eigen::MatrixXf W = Eigen::MatrixXf::Random(4 * H, H);
  const kernels::PackedWeights<float> packed(W);
  const int reps = 400;
  const double s = medianSeconds(1, 3, [&] {
#pragma omp parallel num_threads(threads)
    {
      const Eigen::MatrixXf h = Eigen::MatrixXf::Random(H, columns);
      Eigen::MatrixXf z = Eigen::MatrixXf::Zero(4 * H, columns);
      kernels::PackedColumns<float> packedH;
      for (int k = 0; k < reps; ++k) {
        packedH.pack(h);
        packed.multiplyAdd(packedH, z);
      }
    }
  });
  return 2.0 * 4 * H * H * columns * reps * threads / s / 1e9;
}

int main(int argc, char** argv) {
  // usage: ablation_bench [--quick | --ours]
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const int L = 2, H = 512, V = 96, T = 200, threads = 2;
  const Model model = charModel(L, H, V);

  const auto dir = std::filesystem::temp_directory_path() / "lstmscope-bench";
  std::filesystem::create_directories(dir);
  const std::string modelPath = (dir / "ablation2x512.h5").string(),
                    tokensPath = (dir / "ablation_tokens.txt").string();
  saveNativeModel(model, modelPath);
  Inputs<float> in;
  in.steps = T;
  std::mt19937 rng(3);
  std::ofstream tokensFile(tokensPath);
  for (int t = 0; t < T; ++t)
    in.tokens.push_back(static_cast<int32_t>(rng() % V)), tokensFile << in.tokens.back() << " ";
  tokensFile.close();
  InterventionTarget target;
  target.kind = ScoreKind::LogProbability;
  target.step = T - 1;
  target.output = 7;

  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  std::printf(
      "== ablation sweep: 2 x %d char model, c of all %d units zeroed at every one of %d steps, one run per "
      "unit, log p(token) at the last step ==\n",
      H, L * H, T);
  std::vector<double> effects;
  const auto sweep = [&] {
    effects.clear();
    for (int l = 0; l < L; ++l) {
      AblationRequest request;
      request.layer = l;
      const AblationEffects e = ablationSweep(model, in, target, request);
      effects.insert(effects.end(), e.effects.begin(), e.effects.end());
    }
  };
  sweep();                                             // warm-up
  if (argc > 1 && std::string(argv[1]) == "--ours") {  // our sweep alone, three times (for profiling)
    for (int k = 0; k < 3; ++k) std::printf("ours %.3f s\n", seconds(sweep));
    return 0;
  }
  // Ours and PyTorch's batched sweep in turns: this (shared) machine's speed drifts by a factor of two from
  // minute to minute, so each ratio compares runs made seconds apart, and the median ratio is reported.
  const int pairs = quick ? 1 : 3;
  std::vector<double> oursTimes, batchedTimes, ratios;
  std::string torchOut;
  for (int k = 0; k < pairs; ++k) {
    oursTimes.push_back(seconds(sweep));
    const bool last = k + 1 == pairs;  // also times one run at a time
    torchOut =
        run(torchPython() + " " LSTMSCOPE_BENCH_DIR "/torch_ablation.py '" + modelPath + "' '" + tokensPath + "' " +
            std::to_string(target.output) + " " + std::to_string(threads) + " " + (last ? (quick ? "4" : "16") : "0"));
    batchedTimes.push_back(valueAfter(torchOut, "torch_batched_s"));
    ratios.push_back(oursTimes.back() / batchedTimes.back());
    std::printf("pair %d: ours %.3f s, PyTorch batched %.3f s, ratio %.3f\n", k + 1, oursTimes.back(),
                batchedTimes.back(), ratios.back());
  }
  printTorchKernel();
  const double ours = median(oursTimes), batched = median(batchedTimes), one = valueAfter(torchOut, "torch_one_s");
  double worst = 0;
  for (int k : {0, 1, H - 1, H, 2 * H - 1})
    worst = std::max(
        worst, std::abs(effects[static_cast<size_t>(k)] - valueAfter(torchOut, "torch_effect_" + std::to_string(k))));

  // The work our sweep does: a layer-0 unit's run recomputes layer 0 and layer 1 (its input projection and
  // its recurrence) at every step; a layer-1 unit's run only layer 1's recurrence (layer 0 is reused).
  const double perProduct = 2.0 * 4 * H * H;
  const double flops = H * T * perProduct * 3 + H * T * perProduct;
  const Throughput machine = measureThroughput(H, H, 512 * 16);
  const double blasGemm = valueAfter(torchOut, "torch_gemm_gflops");
  std::printf("our batched steps' product: %s\n",
              kernels::packedWeightsAvailable()
                  ? "our AVX-512 kernel, weights packed once per span (core/engine/packed_weights.h)"
                  : blas::kernelDescription().c_str());
  const double ownGemm = ownKernelGflops(H, 32, threads);
  std::printf(
      "ours (float32, %d threads):              %8.3f s  %6.1f GFLOP/s (%.0f%% of our kernel's rate on the sweep's "
      "product, %.1f GFLOP/s; GEMM through PyTorch's OpenBLAS %.1f, Eigen %.1f)\n",
      threads, ours, flops / ours / 1e9, ownGemm > 0 ? 100 * flops / ours / 1e9 / ownGemm : 0.0, ownGemm, blasGemm,
      machine.gemmGflops);
  std::printf(
      "PyTorch batched (1,024 runs, one batch): %8.3f s   ratio ours/PyTorch %.3f (median of the pairs; goal <= "
      "0.33)\n",
      batched, median(ratios));
  std::printf("PyTorch one run at a time (scaled):      %8.3f s   ratio ours/PyTorch %.4f\n", one, ours / one);
  std::printf("largest difference of 5 effects from PyTorch's float32: %.2e\n", worst);
  std::printf("%s", torchOut.substr(torchOut.find("torch_gemm_gflops")).c_str());
  return 0;
}
