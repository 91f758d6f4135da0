#include "viz/heatmap_data.h"

namespace lstmscope::viz {

HeatmapData::HeatmapData(std::shared_ptr<const void> owner, const Mat<float>* values)
    : owner_(std::move(owner)), values_(values) {}

const std::vector<MinMax>& HeatmapData::pyramid() const {
  std::call_once(pyramidOnce_, [this] {
    pyramid_ = minMaxPyramid(*values_, kFirstBin);
    pyramidBuilt_.store(true, std::memory_order_release);
  });
  return pyramid_;
}

}  // namespace lstmscope::viz
