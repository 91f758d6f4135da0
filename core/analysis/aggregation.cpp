#include "core/analysis/aggregation.h"

#include <algorithm>
#include <limits>

namespace lstmscope {
namespace {

// NaN wins both min and max: a NaN anywhere in a bin must stay visible when zoomed out.
MinMax combine(const Mat<float>& lo, const Mat<float>& hi, long stepsPerBin) {
  const long bins = (lo.cols() + stepsPerBin - 1) / stepsPerBin;
  MinMax out{Mat<float>(lo.rows(), bins), Mat<float>(lo.rows(), bins)};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (long b = 0; b < bins; ++b) {
    const long first = b * stepsPerBin, n = std::min(stepsPerBin, lo.cols() - first);
    auto mins = out.min.col(b).array();
    auto maxs = out.max.col(b).array();
    mins = lo.col(first).array(), maxs = hi.col(first).array();
    for (long k = 1; k < n; ++k) {
      const auto a = lo.col(first + k).array(), z = hi.col(first + k).array();
      mins = (mins.isNaN() || a.isNaN()).select(nan, mins.min(a));
      maxs = (maxs.isNaN() || z.isNaN()).select(nan, maxs.max(z));
    }
  }
  return out;
}

}  // namespace

MinMax aggregateMinMax(const Mat<float>& values, long stepsPerBin) {
  return combine(values, values, std::max(1L, stepsPerBin));
}

std::vector<MinMax> minMaxPyramid(const Mat<float>& values) {
  std::vector<MinMax> levels;
  if (values.cols() < 2) return levels;
  levels.push_back(combine(values, values, 2));
  while (levels.back().min.cols() > 1) {
    const MinMax& prev = levels.back();
    levels.push_back(combine(prev.min, prev.max, 2));
  }
  return levels;
}

}  // namespace lstmscope
