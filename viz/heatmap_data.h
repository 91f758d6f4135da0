// One heatmap's values plus the min/max pyramid that lets a zoomed-out frame read a few bins per pixel
// instead of every step. Immutable once built; shared read-only between the GUI and render threads.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "core/analysis/aggregation.h"

namespace lstmscope::viz {

class HeatmapData {
 public:
  // `values` (units, steps) must stay alive as long as `owner` does.
  HeatmapData(std::shared_ptr<const void> owner, const Mat<float>* values);

  const Mat<float>& values() const { return *values_; }
  long steps() const { return values_->cols(); }
  long units() const { return values_->rows(); }

  // Level k bins kFirstBin * 2^k steps. Built on first use (on the calling thread; thread-safe).
  const std::vector<MinMax>& pyramid() const;
  long binSteps(int level) const { return kFirstBin << level; }
  // Whether pyramid() is ready: the GUI thread reads raw steps rather than build it (or wait for a render
  // thread building it).
  bool pyramidBuilt() const { return pyramidBuilt_.load(std::memory_order_acquire); }

  // Bins of 8 steps at the finest level keep the pyramid at about half the data's size; a pixel column
  // reads at most ~14 raw steps at its ragged edges instead.
  static constexpr long kFirstBin = 8;

 private:
  std::shared_ptr<const void> owner_;
  const Mat<float>* values_;
  mutable std::once_flag pyramidOnce_;
  mutable std::vector<MinMax> pyramid_;
  mutable std::atomic<bool> pyramidBuilt_{false};
};

}  // namespace lstmscope::viz
