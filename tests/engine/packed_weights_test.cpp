// Our AVX-512 product with weights packed once (core/engine/packed_weights.h, docs/ENGINE.md "Batched steps"):
// the product added into blocks of any stride, for every panel width and for rows and depths that do not
// fill whole panels or blocks, and every column computed alike whatever its place in the batch.
#include "core/engine/packed_weights.h"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cmath>
#include <cstdlib>
#include <string>

namespace lstmscope::test {
namespace {

// The CI and development machines have AVX-512; elsewhere the engine uses OpenBLAS or Eigen, and the
// `gemm_openblas` and `gemm_eigen_fallback` ctest entries test those paths.
bool kernelRuns() {
  if (const char* choice = std::getenv("LSTMSCOPE_GEMM")) {
    EXPECT_FALSE(kernels::packedWeightsAvailable()) << "LSTMSCOPE_GEMM=" << choice << " must turn the kernel off";
    return false;
  }
  EXPECT_EQ(kernels::packedWeightsAvailable(), __builtin_cpu_supports("avx512f") != 0);
  return kernels::packedWeightsAvailable();
}

template <class T>
using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// c (inside a larger matrix) += w (a block of a larger matrix) * x (likewise), against the exact product.
template <class T>
void expectProduct(long rows, long depth, long cols, double tolerance) {
  const M<T> w = M<T>::Random(rows + 7, depth + 5), x = M<T>::Random(depth + 3, cols + 2);
  M<T> c = M<T>::Random(rows + 9, cols + 4);
  const M<T> before = c;
  const auto wBlock = w.block(4, 2, rows, depth), xBlock = x.block(1, 2, depth, cols);
  const kernels::PackedWeights<T> packed(wBlock);
  kernels::PackedColumns<T> columns;
  columns.pack(xBlock);
  packed.multiplyAdd(columns, c.block(6, 3, rows, cols));
  const M<long double> exact = wBlock.template cast<long double>() * xBlock.template cast<long double>();
  for (long j = 0; j < c.cols(); ++j)
    for (long i = 0; i < c.rows(); ++i) {
      const bool inside = i >= 6 && i < 6 + rows && j >= 3 && j < 3 + cols;
      if (!inside) {
        ASSERT_EQ(c(i, j), before(i, j)) << "written outside the block at " << i << "," << j;
        continue;
      }
      const long double expected = before(i, j) + exact(i - 6, j - 3);
      ASSERT_NEAR(static_cast<double>(c(i, j)), static_cast<double>(expected), tolerance * std::sqrt(depth))
          << rows << " x " << depth << " times " << cols << " columns, at " << i << "," << j;
    }
}

TEST(PackedWeights, AddsTheProductForEveryShape) {
  if (!kernelRuns()) GTEST_SKIP() << "this CPU has no AVX-512F or LSTMSCOPE_GEMM turned the kernel off";
  // Rows: less than a panel, whole panels, more than a row block and not a whole panel; depth: one, a
  // block, more than a block; columns: every panel width and a remainder after whole panels.
  for (long rows : {1L, 13L, 32L, 300L})
    for (long depth : {1L, 64L, 700L})
      for (long cols : {1L, 2L, 5L, 8L, 19L}) {
        expectProduct<float>(rows, depth, cols, 2e-6);
        expectProduct<double>(rows, depth, cols, 1e-14);
      }
}

// Equal columns of x give equal columns of c, bit for bit, wherever they sit and however wide the batch
// is: the interventions' identities compare a run with its group's control column.
template <class T>
void expectColumnsComputedAlike() {
  const long rows = 100, depth = 600;
  const M<T> w = M<T>::Random(rows, depth);
  const kernels::PackedWeights<T> packed(w);
  const M<T> column = M<T>::Random(depth, 1);
  M<T> alone = M<T>::Zero(rows, 1);
  kernels::PackedColumns<T> packedColumns;
  packedColumns.pack(column);
  packed.multiplyAdd(packedColumns, alone);
  for (long cols : {3L, 8L, 11L, 30L}) {
    M<T> x = M<T>::Random(depth, cols);
    for (long j = 0; j < cols; j += 4) x.col(j) = column;
    packedColumns.pack(x);
    M<T> c = M<T>::Zero(rows, cols);
    packed.multiplyAdd(packedColumns, c);
    for (long j = 0; j < cols; j += 4)
      for (long i = 0; i < rows; ++i)
        ASSERT_EQ(c(i, j), alone(i, 0)) << "column " << j << " of " << cols << ", row " << i;
  }
}

TEST(PackedWeights, ComputesEveryColumnAlike) {
  if (!kernelRuns()) GTEST_SKIP() << "this CPU has no AVX-512F or LSTMSCOPE_GEMM turned the kernel off";
  expectColumnsComputedAlike<float>();
  expectColumnsComputedAlike<double>();
}

}  // namespace
}  // namespace lstmscope::test
