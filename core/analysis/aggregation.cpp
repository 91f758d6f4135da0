#include "core/analysis/aggregation.h"

#include <algorithm>

namespace lstmscope {
namespace {

MinMax combine(const Mat<float>& lo, const Mat<float>& hi, long stepsPerBin) {
  const long bins = (lo.cols() + stepsPerBin - 1) / stepsPerBin;
  MinMax out{Mat<float>(lo.rows(), bins), Mat<float>(lo.rows(), bins)};
  for (long b = 0; b < bins; ++b) {
    const long first = b * stepsPerBin, n = std::min(stepsPerBin, lo.cols() - first);
    out.min.col(b) = lo.middleCols(first, n).rowwise().minCoeff();
    out.max.col(b) = hi.middleCols(first, n).rowwise().maxCoeff();
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
