#include "core/analysis/statistics.h"

#include <algorithm>
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

}  // namespace lstmscope
