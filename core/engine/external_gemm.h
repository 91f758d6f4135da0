// The matrix products of batched steps on CPUs without AVX-512 (where our kernel, core/engine/
// packed_weights.h, does not run; docs/ENGINE.md "Batched steps") and the logistic probes' Hessian
// (docs/PROBES.md) through OpenBLAS when the machine has it. On the per-step product of an ablation sweep
// OpenBLAS's SGEMM kernel is 1.2-1.7x faster than Eigen's (bench/step_gemm_bench).
//
// OpenBLAS is loaded at run time, not linked: the engine still runs where it is missing (Eigen's products
// are the fallback), and the choice can be forced with LSTMSCOPE_GEMM=eigen. It is loaded with one thread:
// the engine splits each step across cores itself, and every core calls it concurrently.
#pragma once

#include <Eigen/Core>
#include <string>

namespace lstmscope::blas {

// True when OpenBLAS is loaded and chosen; loads it on the first call (thread-safe). Loading sets
// OPENBLAS_CORETYPE for a moment, so programs call this before they start threads (the app's and the
// CLI's main and the benchmarks do); otherwise the first batched step or logistic probe calls it.
bool available();

// "OpenBLAS, Haswell kernel (its build configuration)", or "Eigen (why not OpenBLAS)".
std::string kernelDescription();

// c += a * b, all column-major: a is m x k (leading dimension lda), b is k x n, c is m x n. Only when
// available().
void gemmAdd(long m, long n, long k, const float* a, long lda, const float* b, long ldb, float* c, long ldc);
void gemmAdd(long m, long n, long k, const double* a, long lda, const double* b, long ldb, double* c, long ldc);

// The lower triangle of c += a * a^T, column-major: a is n x k, c is n x n (its upper triangle untouched).
// Only when available().
void lowerRankUpdate(long n, long k, const double* a, long lda, double* c, long ldc);

}  // namespace lstmscope::blas

namespace lstmscope::kernels {

// c += a * b for column-major Eigen blocks (unit inner stride): through OpenBLAS when it is available, else
// Eigen's product.
template <class A, class B, class C>
void addProduct(const A& a, const B& b, C&& c) {
  if (blas::available())
    blas::gemmAdd(c.rows(), c.cols(), a.cols(), a.data(), a.outerStride(), b.data(), b.outerStride(), c.data(),
                  c.outerStride());
  else
    c.noalias() += a * b;
}

// The lower triangle of c += a * a^T for column-major double blocks (unit inner stride): OpenBLAS's DSYRK when
// available, else Eigen's rank update; the upper triangle is left as it was.
template <class A, class C>
void addLowerRankUpdate(const A& a, C&& c) {
  if (blas::available())
    blas::lowerRankUpdate(c.rows(), a.cols(), a.data(), a.outerStride(), c.data(), c.outerStride());
  else
    c.template selfadjointView<Eigen::Lower>().rankUpdate(a);
}

}  // namespace lstmscope::kernels
