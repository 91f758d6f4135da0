// A matrix product whose left factor is packed once and reused: a layer's recurrent weights times the
// batch's previous h, at every step of a span (docs/ENGINE.md "Batched steps").
//
// Eigen's product packs both factors into its GEMM kernel's layout on every call. For the per-step product
// of an ablation sweep (1,024 x 512 weights per core times about 100 columns) packing the weights took a
// tenth of the time, the same at every step. This class calls the building blocks Eigen's own product calls
// (Eigen 3.4's gemm_pack_lhs, gemm_pack_rhs and gebp_kernel, the whole product as one row block), but packs
// the weights once. It also adds into the result instead of overwriting it, so the input projection already
// in z needs no scratch matrix and no second pass.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <vector>

namespace lstmscope::kernels {

template <class T>
using AlignedBuffer = std::vector<T, Eigen::aligned_allocator<T>>;

namespace gemm {
using Index = Eigen::Index;
template <class T>
using Traits = Eigen::internal::gebp_traits<T, T>;
template <class T>
using InputMapper = Eigen::internal::const_blas_data_mapper<T, Index, Eigen::ColMajor>;
template <class T>
using ResultMapper = Eigen::internal::blas_data_mapper<T, Index, Eigen::ColMajor, Eigen::Unaligned, 1>;
// Depth per packed block: a block's column panel (depth x nr) then stays in the first-level cache.
constexpr Index kDepthBlock = 512;
}  // namespace gemm

// The right factor in the kernel's layout; packed once per step and shared by every PackedLhs product.
template <class T>
class PackedRhs {
 public:
  // Packs `rhs` (depth x cols, column-major, any outer stride).
  template <class Rhs>
  void pack(const Rhs& rhs) {
    using namespace gemm;
    depth_ = rhs.rows(), cols_ = rhs.cols();
    buffer_.resize(static_cast<size_t>(depth_ * cols_));
    Eigen::internal::gemm_pack_rhs<T, Index, InputMapper<T>, Traits<T>::nr, Eigen::ColMajor> packRhs;
    for (Index k0 = 0; k0 < depth_; k0 += kDepthBlock) {
      const Index kc = std::min(kDepthBlock, depth_ - k0);
      packRhs(buffer_.data() + k0 * cols_, InputMapper<T>(rhs.data() + k0, rhs.outerStride()), kc, cols_);
    }
  }
  Eigen::Index depth() const { return depth_; }
  Eigen::Index cols() const { return cols_; }
  const T* block(Eigen::Index k0) const { return buffer_.data() + k0 * cols_; }

 private:
  Eigen::Index depth_ = 0, cols_ = 0;
  AlignedBuffer<T> buffer_;
};

// The left factor in the kernel's layout, packed once.
template <class T>
class PackedLhs {
 public:
  PackedLhs() = default;
  // Packs `lhs` (rows x depth, column-major, any outer stride).
  template <class Lhs>
  explicit PackedLhs(const Lhs& lhs) : rows_(lhs.rows()), depth_(lhs.cols()) {
    using namespace gemm;
    buffer_.resize(static_cast<size_t>(rows_ * depth_));
    Eigen::internal::gemm_pack_lhs<T, Index, InputMapper<T>, Traits<T>::mr, Traits<T>::LhsProgress,
                                   typename Traits<T>::LhsPacket4Packing, Eigen::ColMajor>
        packLhs;
    for (Index k0 = 0; k0 < depth_; k0 += kDepthBlock) {
      const Index kc = std::min(kDepthBlock, depth_ - k0);
      packLhs(buffer_.data() + k0 * rows_, InputMapper<T>(lhs.data() + k0 * lhs.outerStride(), lhs.outerStride()), kc,
              rows_);
    }
  }

  // result += lhs * rhs, for `result` (rows x rhs.cols(), column-major, any outer stride).
  template <class Result>
  void multiplyAdd(const PackedRhs<T>& rhs, Result&& result) const {
    using namespace gemm;
    eigen_assert(rhs.depth() == depth_ && result.rows() == rows_ && result.cols() == rhs.cols());
    Eigen::internal::gebp_kernel<T, T, Index, ResultMapper<T>, Traits<T>::mr, Traits<T>::nr, false, false> kernel;
    const ResultMapper<T> out(result.data(), result.outerStride());
    for (Index k0 = 0; k0 < depth_; k0 += kDepthBlock) {
      const Index kc = std::min(kDepthBlock, depth_ - k0);
      kernel(out, buffer_.data() + k0 * rows_, rhs.block(k0), rows_, kc, rhs.cols(), T(1));
    }
  }

 private:
  Eigen::Index rows_ = 0, depth_ = 0;
  AlignedBuffer<T> buffer_;
};

}  // namespace lstmscope::kernels
