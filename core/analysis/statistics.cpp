#include "core/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lstmscope {

std::vector<Saturation> gateSaturation(const Mat<float>& gate) {
  std::vector<Saturation> out(gate.rows());
  if (gate.cols() == 0) return out;
  const double steps = static_cast<double>(gate.cols());
  // Column by column (contiguous in memory), counting per unit: a row walk would stride through memory.
  Eigen::VectorXi left = Eigen::VectorXi::Zero(gate.rows()), right = Eigen::VectorXi::Zero(gate.rows());
  for (long t = 0; t < gate.cols(); ++t) {
    left.array() += (gate.col(t).array() < 0.1f).cast<int>();
    right.array() += (gate.col(t).array() > 0.9f).cast<int>();
  }
  for (long u = 0; u < gate.rows(); ++u) out[u] = {left(u) / steps, right(u) / steps};
  return out;
}

std::vector<Prediction> topK(const Mat<float>& probs, long step, int k) {
  std::vector<int> ids(probs.rows());
  std::iota(ids.begin(), ids.end(), 0);
  const int n = std::clamp(k, 0, static_cast<int>(ids.size()));
  std::partial_sort(ids.begin(), ids.begin() + n, ids.end(), [&](int a, int b) {
    const float pa = probs(a, step), pb = probs(b, step);
    return pa > pb || (pa == pb && a < b);
  });
  std::vector<Prediction> out;
  for (int i = 0; i < n; ++i) out.push_back({ids[i], probs(ids[i], step)});
  return out;
}

SaturationTable gateSaturationTable(const Recording& recording) {
  SaturationTable table(recording.states.size());
  for (size_t l = 0; l < table.size(); ++l)
    for (const Quantity gate : {Quantity::I, Quantity::F, Quantity::O}) {
      table[l].emplace_back();
      for (int d = 0; d < recording.directions(static_cast<int>(l)); ++d)
        table[l].back().push_back(gateSaturation(recording.values(static_cast<int>(l), d, gate)));
    }
  return table;
}

UnitMoments unitMoments(const Mat<float>& values) {
  UnitMoments m{Vec<double>::Zero(values.rows()), Vec<double>::Zero(values.rows())};
  if (values.cols() == 0) return m;
  for (long t = 0; t < values.cols(); ++t) m.mean += values.col(t).cast<double>();
  m.mean /= static_cast<double>(values.cols());
  for (long t = 0; t < values.cols(); ++t)
    m.variance.array() += (values.col(t).cast<double>() - m.mean).array().square();
  m.variance /= static_cast<double>(values.cols());
  return m;
}

std::pair<double, double> symmetricPercentileRange(const Mat<float>& values) {
  constexpr long kMaxSamples = 1 << 16;
  long stride = std::max(1L, static_cast<long>(values.size()) / kMaxSamples);
  // Coprime with the number of units, so that the sample visits every unit (column-major storage: a
  // stride sharing a factor with the rows would skip whole units, such as the few counters in the tail).
  while (std::gcd(stride, static_cast<long>(values.rows())) != 1) ++stride;
  std::vector<float> sample;
  sample.reserve(static_cast<size_t>(values.size() / stride + 1));
  for (long k = 0; k < values.size(); k += stride)
    if (std::isfinite(values.data()[k])) sample.push_back(values.data()[k]);
  if (sample.empty()) return {-1.0, 1.0};
  const auto at = [&sample](double fraction) {
    const auto rank = static_cast<long>(fraction * static_cast<double>(sample.size() - 1));
    std::nth_element(sample.begin(), sample.begin() + rank, sample.end());
    return static_cast<double>(sample[static_cast<size_t>(rank)]);
  };
  const double m = std::max(std::abs(at(0.01)), std::abs(at(0.99)));
  return m > 0 ? std::pair{-m, m} : std::pair{-1.0, 1.0};
}

std::pair<double, double> differenceRange(const Mat<float>& values, const std::vector<int>& setUnits) {
  std::vector<char> isSet(static_cast<size_t>(values.rows()), 0);
  for (int u : setUnits)
    if (u >= 0 && u < values.rows()) isSet[static_cast<size_t>(u)] = 1;
  double others = 0, all = 0;
  for (long t = 0; t < values.cols(); ++t)
    for (long u = 0; u < values.rows(); ++u) {
      const double v = std::abs(values(u, t));
      if (!std::isfinite(v)) continue;
      all = std::max(all, v);
      if (!isSet[static_cast<size_t>(u)]) others = std::max(others, v);
    }
  const double extent = std::max(1e-12, others > 0 ? others : all);
  return {-extent, extent};
}

}  // namespace lstmscope
