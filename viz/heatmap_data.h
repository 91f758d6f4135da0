// One heatmap's values plus the min/max pyramid that lets a zoomed-out frame read a few bins per pixel
// instead of every step. Immutable once built; shared read-only between the GUI and render threads.
#pragma once

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

  // Level k bins 2^(k+1) steps. Built on first use (on the calling thread; thread-safe).
  const std::vector<MinMax>& pyramid() const;

 private:
  std::shared_ptr<const void> owner_;
  const Mat<float>* values_;
  mutable std::once_flag pyramidOnce_;
  mutable std::vector<MinMax> pyramid_;
};

}  // namespace lstmscope::viz
