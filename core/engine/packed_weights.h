// Weights packed once for many products c += W x with an AVX-512 kernel of our own (docs/ENGINE.md "Batched
// steps"): a layer's recurrent weights times the batch's previous h at every step of a span, and the input
// weights times a changed input.
//
// Why not OpenBLAS: its interface packs W again on every call (an ablation sweep's step spends about a
// tenth of its time there, the same at every step), and the kernel it runs depends on the environment
// (OPENBLAS_CORETYPE=Haswell gives AVX2 even on an AVX-512 CPU). This kernel keeps W packed across calls and
// reaches about 95 % of a core's AVX-512 peak on 2048 x 512 weights times 32 columns (bench/step_gemm_bench).
//
// Every column of c is computed alike: for each block of depth the products are summed in the order of
// the depth, into accumulators that start at zero, and then added to c. A column's result therefore does
// not depend on where it sits in the batch or on how many columns there are: two equal columns of x give
// equal columns of c, bit for bit, which the interventions' identities rest on (docs/INTERVENTIONS.md).
//
// Used when the CPU has AVX-512F and LSTMSCOPE_GEMM does not choose "openblas" or "eigen".
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

namespace lstmscope::kernels {

// True when the kernel can run here and is chosen.
bool packedWeightsAvailable();

// The right factor x (depth x cols), packed per step in panels of a few columns; shared by every
// PackedWeights product of that step.
template <class T>
class PackedColumns {
 public:
  void pack(const T* x, long ldx, long depth, long cols);
  template <class X>
  void pack(const X& x) {
    pack(x.data(), x.outerStride(), x.rows(), x.cols());
  }
  long depth() const { return depth_; }
  long cols() const { return cols_; }
  const T* data() const { return buffer_.data(); }

 private:
  long depth_ = 0, cols_ = 0;
  std::vector<T> buffer_;
};

// The left factor W (rows x depth), packed once in panels of rows.
template <class T>
class PackedWeights {
 public:
  PackedWeights() = default;
  PackedWeights(const T* w, long ldw, long rows, long depth);
  template <class W>
  explicit PackedWeights(const W& w) : PackedWeights(w.data(), w.outerStride(), w.rows(), w.cols()) {}

  long rows() const { return rows_; }
  long depth() const { return depth_; }

  // c += W x, c being rows() x x.cols(), column-major with leading dimension ldc.
  void multiplyAdd(const PackedColumns<T>& x, T* c, long ldc) const;
  template <class C>
  void multiplyAdd(const PackedColumns<T>& x, C&& c) const {
    eigen_assert(c.rows() == rows_ && c.cols() == x.cols() && x.depth() == depth_);
    multiplyAdd(x, c.data(), c.outerStride());
  }

 private:
  long rows_ = 0, depth_ = 0;
  std::vector<T, Eigen::aligned_allocator<T>> panels_;  // rows padded with zeros to whole panels
};

}  // namespace lstmscope::kernels
