#include "core/analysis/aggregation.h"

#include <algorithm>

namespace lstmscope {
namespace {

// Elementwise min/max that return NaN when either side is NaN (Eigen's vectorised PropagateNaN kernels).
using MinPropagatingNaN = Eigen::internal::scalar_min_op<float, float, Eigen::PropagateNaN>;
using MaxPropagatingNaN = Eigen::internal::scalar_max_op<float, float, Eigen::PropagateNaN>;

MinMax combine(const Mat<float>& lo, const Mat<float>& hi, long stepsPerBin) {
  const long bins = (lo.cols() + stepsPerBin - 1) / stepsPerBin;
  MinMax out{Mat<float>(lo.rows(), bins), Mat<float>(lo.rows(), bins)};
  for (long b = 0; b < bins; ++b) {
    const long first = b * stepsPerBin, n = std::min(stepsPerBin, lo.cols() - first);
    auto mins = out.min.col(b);
    auto maxs = out.max.col(b);
    mins = lo.col(first), maxs = hi.col(first);
    for (long k = 1; k < n; ++k) {
      mins = mins.binaryExpr(lo.col(first + k), MinPropagatingNaN());
      maxs = maxs.binaryExpr(hi.col(first + k), MaxPropagatingNaN());
    }
  }
  return out;
}

}  // namespace

MinMax aggregateMinMax(const Mat<float>& values, long stepsPerBin) {
  return combine(values, values, std::max(1L, stepsPerBin));
}

std::vector<MinMax> minMaxPyramid(const Mat<float>& values, long firstBin) {
  std::vector<MinMax> levels;
  if (values.cols() < 2) return levels;
  levels.push_back(combine(values, values, std::max(2L, firstBin)));
  while (levels.back().min.cols() > 1) {
    const MinMax& prev = levels.back();
    levels.push_back(combine(prev.min, prev.max, 2));
  }
  return levels;
}

}  // namespace lstmscope
