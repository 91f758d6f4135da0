// The ablation sweep's per-step product on one core (docs/INTERVENTIONS.md "Speed"): a 512-unit layer's
// recurrent weights (2,048 x 512, the four gates' rows, as a core that runs whole groups multiplies them)
// times B runs' previous h (512 x B), added into z, float32. Four kernels side by side: Eigen's product,
// Eigen's kernel with the weights packed once (core/engine/prepacked_product.h), our AVX-512 kernel with
// the weights packed once (core/engine/packed_weights.h; h packed at every call, as at every step), and
// OpenBLAS's cblas_sgemm (the library PyTorch uses here, loaded at run time, one thread, with the kernel
// OPENBLAS_CORETYPE names if the environment sets it).
#include <dlfcn.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/engine/packed_weights.h"
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
  const char* core = std::getenv("OPENBLAS_CORETYPE");
  std::printf(
      "per-step product, 2,048 x 512 weights times 512 x B, one core, float32 (GFLOP/s); OpenBLAS with "
      "OPENBLAS_CORETYPE=%s\n",
      core ? core : "(unset: its own choice)");
  const bool own = lstmscope::kernels::packedWeightsAvailable();
  std::printf("%6s %10s %16s %14s %10s %16s\n", "B", "Eigen", "Eigen prepacked", "ours AVX-512", "OpenBLAS",
              "ours/OpenBLAS");
  constexpr long kRows = 2048, kDepth = 512;
  for (const long b : {8L, 32L, 64L, 128L, 256L}) {
    const Eigen::MatrixXf w = Eigen::MatrixXf::Random(kRows, kDepth), h = Eigen::MatrixXf::Random(kDepth, b);
    Eigen::MatrixXf z = Eigen::MatrixXf::Zero(kRows, b);
    const int reps = static_cast<int>(std::max(20L, 40'000 / b));
    const double flops = 2.0 * kRows * kDepth * static_cast<double>(b) * reps;
    const double eigen = seconds(reps, [&] { z.noalias() += w * h; });
    const lstmscope::kernels::PackedLhs<float> packed(w);
    lstmscope::kernels::PackedRhs<float> rhs;
    const double prepacked = seconds(reps, [&] {
      rhs.pack(h);
      packed.multiplyAdd(rhs, z);
    });
    double ours = 0;
    if (own) {
      const lstmscope::kernels::PackedWeights<float> weights(w);
      lstmscope::kernels::PackedColumns<float> columns;
      ours = seconds(reps, [&] {
        columns.pack(h);
        weights.multiplyAdd(columns, z);
      });
    }
    const double blas =
        sgemm ? seconds(reps,
                        [&] {
                          sgemm(kColMajor, kNoTrans, kNoTrans, static_cast<int>(kRows), static_cast<int>(b),
                                static_cast<int>(kDepth), 1.0f, w.data(), static_cast<int>(kRows), h.data(),
                                static_cast<int>(kDepth), 1.0f, z.data(), static_cast<int>(kRows));
                        })
              : 0;
    std::printf("%6ld %10.1f %16.1f %14.1f %10.1f %16.2f\n", b, flops / eigen / 1e9, flops / prepacked / 1e9,
                own ? flops / ours / 1e9 : 0.0, sgemm ? flops / blas / 1e9 : 0.0, own && sgemm ? blas / ours : 0.0);
  }
  if (!own) std::printf("this CPU has no AVX-512F (or LSTMSCOPE_GEMM chose another kernel): our column is empty\n");
  if (!sgemm) std::printf("OpenBLAS (libopenblas.so.0) not found: its column is empty\n");
  return 0;
}
