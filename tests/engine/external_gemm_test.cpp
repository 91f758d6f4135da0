// The batched steps' product through OpenBLAS (core/engine/external_gemm.h, docs/ENGINE.md "Batched steps"):
// loaded on the test machine, the same product as Eigen's on blocks with any outer stride, and the
// environment left as it was.
#include "core/engine/external_gemm.h"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cstdlib>
#include <string>

namespace lstmscope::test {
namespace {

// First in this file, so that it sees the library being loaded (unless the process loaded it before).
TEST(ExternalGemm, LoadingLeavesTheEnvironmentAsItWas) {
  const char* before = std::getenv("OPENBLAS_CORETYPE");
  const std::string saved = before ? before : "";
  (void)blas::available();
  const char* after = std::getenv("OPENBLAS_CORETYPE");
  EXPECT_EQ(after != nullptr, before != nullptr);
  if (after && before) {
    EXPECT_EQ(saved, after);
  }
}

// The test machine has Debian's OpenBLAS (the PyTorch oracle needs it); the fallback is tested by the
// `gemm_eigen_fallback` ctest entry, which runs the engine's tests with LSTMSCOPE_GEMM=eigen.
TEST(ExternalGemm, OpenBlasIsUsedWhereItIsInstalled) {
  if (const char* choice = std::getenv("LSTMSCOPE_GEMM"); choice && std::string(choice) == "eigen") {
    EXPECT_FALSE(blas::available());
    EXPECT_EQ(blas::kernelDescription(), "Eigen (LSTMSCOPE_GEMM=eigen)");
    return;
  }
  EXPECT_TRUE(blas::available()) << blas::kernelDescription();
  EXPECT_NE(blas::kernelDescription().find("OpenBLAS"), std::string::npos) << blas::kernelDescription();
}

template <class T>
void expectSameProductAsEigen(double tolerance) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  // Blocks inside larger matrices, so every leading dimension differs from the block's rows.
  const M a = M::Random(71, 45), b = M::Random(40, 23);
  M c = M::Random(60, 19);
  const M before = c;
  const auto aBlock = a.block(3, 2, 50, 33), bBlock = b.block(4, 1, 33, 17);
  const Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic> exact =
      aBlock.template cast<long double>() * bBlock.template cast<long double>();
  kernels::addProduct(aBlock, bBlock, c.block(5, 1, 50, 17));
  for (long j = 0; j < c.cols(); ++j)
    for (long i = 0; i < c.rows(); ++i) {
      const bool inside = i >= 5 && i < 55 && j >= 1 && j < 18;
      if (!inside) {
        EXPECT_EQ(c(i, j), before(i, j)) << "outside the block at " << i << "," << j;
        continue;
      }
      const long double expected = before(i, j) + exact(i - 5, j - 1);
      EXPECT_NEAR(static_cast<double>(c(i, j)), static_cast<double>(expected), tolerance) << i << "," << j;
    }
}

TEST(ExternalGemm, AddsTheProductIntoBlocksInFloatAndDouble) {
  expectSameProductAsEigen<float>(2e-5);
  expectSameProductAsEigen<double>(1e-13);
}

// The logistic probes' Hessian (core/probing/logistic_terms.cpp): the lower triangle of C += A A^T on a
// block, the upper triangle and everything outside the block left as they were.
TEST(ExternalGemm, AddsTheLowerTriangleOfARankUpdate) {
  using M = Eigen::MatrixXd;
  const M a = M::Random(40, 90);
  M c = M::Random(50, 50);
  const M before = c;
  const auto aBlock = a.block(2, 5, 31, 77);
  const Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic> exact =
      aBlock.cast<long double>() * aBlock.cast<long double>().transpose();
  kernels::addLowerRankUpdate(aBlock, c.block(4, 6, 31, 31));
  for (long j = 0; j < c.cols(); ++j)
    for (long i = 0; i < c.rows(); ++i) {
      const bool lower = i >= 4 && i < 35 && j >= 6 && j < 37 && i - 4 >= j - 6;
      if (!lower) {
        EXPECT_EQ(c(i, j), before(i, j)) << "outside the lower triangle at " << i << "," << j;
        continue;
      }
      const long double expected = before(i, j) + exact(i - 4, j - 6);
      EXPECT_NEAR(c(i, j), static_cast<double>(expected), 1e-12) << i << "," << j;
    }
}

}  // namespace
}  // namespace lstmscope::test
