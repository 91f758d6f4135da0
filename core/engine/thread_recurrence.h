// One thread's share of a layer's recurrent product W_hh h_{t-1}: the rows of its units' four gates,
// added into z at every step (docs/ENGINE.md "Batched steps").
#pragma once

#include <array>
#include <vector>

#include "core/engine/external_gemm.h"
#include "core/engine/lstm_kernels.h"
#include "core/engine/packed_weights.h"
#include "core/engine/prepacked_product.h"

namespace lstmscope::kernels {

template <class T>
class ThreadRecurrence {
 public:
  // Units [u0, u0 + n) of a layer of H units whose steps have `batch` columns. `columnsIndependent`: every
  // column computed alike whatever the batch (ForwardOptions): our kernel even for one column, else one
  // matrix-vector product per column.
  ThreadRecurrence(const Mat<T>& W_hh, long H, long u0, long n, long batch, bool columnsIndependent = false)
      : W_hh_(W_hh),
        H_(H),
        u0_(u0),
        n_(n),
        wide_(columnsIndependent ? packedWeightsAvailable() : batch >= kPackedFrom),
        own_(wide_ && packedWeightsAvailable()),
        external_(wide_ && !own_ && blas::available()),
        byColumn_(columnsIndependent && !wide_) {
    if (own_) {  // all units: the four gates' rows as one block
      if (n == H)
        ownGates_.emplace_back(W_hh);
      else
        for (long g = 0; g < 4; ++g) ownGates_.emplace_back(W_hh.middleRows(g * H + u0, n));
      return;
    }
    if (external_) return;  // OpenBLAS packs its blocks itself
    if (wide_) {
      for (int g = 0; g < 4; ++g) gates_[static_cast<size_t>(g)] = PackedLhs<T>(W_hh.middleRows(g * H + u0, n));
    } else {
      if (n != H) rows_ = packRecurrentRows(W_hh, H, u0, n);
      scratch_.resize(4 * n, batch);
    }
  }

  // Rows of these units in s.z += W_hh (those rows) * s.hPrev.
  void addTo(StepBuffers<T>& s) {
    if (own_) {  // h packed once, shared by the gates' products
      hColumns_.pack(s.hPrev);
      if (n_ == H_)
        ownGates_[0].multiplyAdd(hColumns_, s.z);
      else
        for (long g = 0; g < 4; ++g)
          ownGates_[static_cast<size_t>(g)].multiplyAdd(hColumns_, s.z.middleRows(g * H_ + u0_, n_));
      return;
    }
    if (external_) {
      if (n_ == H_)  // all units: the four gates' rows are one block, and h is packed once
        addProduct(W_hh_, s.hPrev, s.z);
      else
        for (long g = 0; g < 4; ++g)
          addProduct(W_hh_.middleRows(g * H_ + u0_, n_), s.hPrev, s.z.middleRows(g * H_ + u0_, n_));
      return;
    }
    if (wide_) {  // h packed once, shared by the four gates' products
      hPacked_.pack(s.hPrev);
      for (int g = 0; g < 4; ++g)
        gates_[static_cast<size_t>(g)].multiplyAdd(hPacked_, s.z.middleRows(g * H_ + u0_, n_));
      return;
    }
    if (byColumn_)
      for (long k = 0; k < s.hPrev.cols(); ++k) scratch_.col(k).noalias() = (n_ == H_ ? W_hh_ : rows_) * s.hPrev.col(k);
    else
      scratch_.noalias() = (n_ == H_ ? W_hh_ : rows_) * s.hPrev;
    for (long g = 0; g < 4; ++g) s.z.middleRows(g * H_ + u0_, n_) += scratch_.middleRows(g * n_, n_);
  }

 private:
  // From this many columns the product is a matrix product, whose weights are then worth packing once; a
  // single sequence's is a matrix-vector product, which packs nothing.
  static constexpr long kPackedFrom = 2;
  const Mat<T>& W_hh_;
  long H_, u0_, n_;
  bool wide_;
  bool own_;       // wide, through our kernel (core/engine/packed_weights.h)
  bool external_;  // wide, through OpenBLAS (core/engine/external_gemm.h)
  bool byColumn_;  // narrow, one matrix-vector product per column (columns computed alike without our kernel)
  std::vector<PackedWeights<T>> ownGates_;
  PackedColumns<T> hColumns_;
  std::array<PackedLhs<T>, 4> gates_;
  PackedRhs<T> hPacked_;
  Mat<T> rows_, scratch_;  // narrow batches: this thread's rows stacked (unless all), and the product
};

}  // namespace lstmscope::kernels
