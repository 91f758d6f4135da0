// The ablation sweep's per-step product on one core (docs/INTERVENTIONS.md "Benchmark"): a core's share of a
// 2 x 512 layer's recurrent weights (1,024 x 512) times B runs' previous h (512 x B), added into z, float32.
// Three kernels side by side: Eigen's product, the engine's prepacked product (core/engine/
// prepacked_product.h: the weights packed once, h packed per step), and OpenBLAS's cblas_sgemm (the
// library PyTorch uses here, loaded at run time; one thread). It measures the lever left for issue 17's
// ratio: how much faster this machine's best SGEMM kernel is than Eigen's on this shape.
#include <dlfcn.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>

#include "core/engine/prepacked_product.h"

namespace {

using Sgemm = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
                       const float* b, int ldb, float beta, float* c, int ldc);
using SetThreads = void (*)(int);
constexpr int kColMajor = 102, kNoTrans = 111;

template <class F>
double seconds(int reps, const F& f) {
  f();  // warm
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  void* openblas = dlopen("libopenblas.so.0", RTLD_NOW);
  const auto sgemm = openblas ? reinterpret_cast<Sgemm>(dlsym(openblas, "cblas_sgemm")) : nullptr;
  if (const auto set = openblas ? reinterpret_cast<SetThreads>(dlsym(openblas, "openblas_set_num_threads")) : nullptr)
    set(1);
  std::printf("per-step product, 1,024 x 512 weights times 512 x B, one core, float32 (GFLOP/s)\n");
  std::printf("%6s %10s %12s %10s %16s\n", "B", "Eigen", "prepacked", "OpenBLAS", "OpenBLAS/ours");
  constexpr long kRows = 1024, kDepth = 512;
  for (const long b : {64L, 128L, 256L, 512L}) {
    const Eigen::MatrixXf w = Eigen::MatrixXf::Random(kRows, kDepth), h = Eigen::MatrixXf::Random(kDepth, b);
    Eigen::MatrixXf z = Eigen::MatrixXf::Zero(kRows, b);
    const int reps = static_cast<int>(std::max(20L, 40'000 / b));
    const double flops = 2.0 * kRows * kDepth * static_cast<double>(b) * reps;
    const double eigen = seconds(reps, [&] { z.noalias() += w * h; });
    const lstmscope::kernels::PackedLhs<float> packed(w);
    lstmscope::kernels::PackedRhs<float> rhs;
    const double ours = seconds(reps, [&] {
      rhs.pack(h);
      packed.multiplyAdd(rhs, z);
    });
    const double blas =
        sgemm ? seconds(reps,
                        [&] {
                          sgemm(kColMajor, kNoTrans, kNoTrans, static_cast<int>(kRows), static_cast<int>(b),
                                static_cast<int>(kDepth), 1.0f, w.data(), static_cast<int>(kRows), h.data(),
                                static_cast<int>(kDepth), 1.0f, z.data(), static_cast<int>(kRows));
                        })
              : 0;
    std::printf("%6ld %10.1f %12.1f %10.1f %16.2f\n", b, flops / eigen / 1e9, flops / ours / 1e9,
                sgemm ? flops / blas / 1e9 : 0.0, sgemm ? ours / blas : 0.0);
  }
  if (!sgemm) std::printf("OpenBLAS (libopenblas.so.0) not found: its column is empty\n");
  return 0;
}
