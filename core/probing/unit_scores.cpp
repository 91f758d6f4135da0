#include "core/probing/unit_scores.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

namespace lstmscope {
namespace {

// Units are read in groups of 16: 16 floats of a step are one cache line of the (H x T) matrix, so a group
// reads each line once instead of 16 times.
constexpr long kGroup = 16;

// Calls fn(first, count) for every group of units, the groups shared out among `threads` threads in
// interleaved order (units of one quantity cost alike, so no queue is needed).
template <class Fn>
void forEachGroup(long units, int threads, const Fn& fn) {
  const long groups = (units + kGroup - 1) / kGroup;
  const int n = static_cast<int>(std::clamp<long>(threads, 1, std::max<long>(groups, 1)));
  const auto run = [&](long k) {
    for (long g = k; g < groups; g += n) fn(g * kGroup, std::min(kGroup, units - g * kGroup));
  };
  if (n == 1) return run(0);
  std::vector<std::thread> pool;
  for (int k = 0; k < n; ++k) pool.emplace_back(run, k);
  for (std::thread& t : pool) t.join();
}

// The group's values in double, a row per unit; a row is empty when one of its values is not finite.
std::vector<std::vector<double>> finiteRows(const Mat<float>& values, long first, long count) {
  std::vector<std::vector<double>> rows(static_cast<size_t>(count),
                                        std::vector<double>(static_cast<size_t>(values.cols())));
  for (long t = 0; t < values.cols(); ++t)
    for (long k = 0; k < count; ++k) rows[static_cast<size_t>(k)][static_cast<size_t>(t)] = values(first + k, t);
  for (std::vector<double>& row : rows)
    if (!std::all_of(row.begin(), row.end(), [](double v) { return std::isfinite(v); })) row.clear();
  return rows;
}

// Pearson r of x with y, both as given, by the two-pass formula (as numpy computes it).
double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    const double dx = x[t] - mx, dy = y[t] - my;
    sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return UnitScore::kNone;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

UnitScore correlationScore(double r) {
  UnitScore s;
  if (r != r) return s;
  s.score = r, s.strength = std::abs(r), s.sign = r < 0 ? -1 : 1;
  return s;
}

// AUC from the unit's ranks: the Mann-Whitney statistic of the steps where the label is `positive`.
double aucFromRanks(const std::vector<double>& ranks, const ProbeLabel& label, double positive) {
  double rankSum = 0, n1 = 0;
  for (size_t t = 0; t < ranks.size(); ++t)
    if (label.values[t] == positive) rankSum += ranks[t], ++n1;
  const double n0 = static_cast<double>(ranks.size()) - n1;
  if (n1 == 0 || n0 == 0) return UnitScore::kNone;
  return (rankSum - n1 * (n1 + 1) / 2) / (n1 * n0);
}

UnitScore aucScore(const std::vector<double>& row, const ProbeLabel& label) {
  const std::vector<double> ranks = averageRanks(row);
  UnitScore s;
  const long classes = label.kind == LabelKind::Categorical ? static_cast<long>(label.categories.size()) : 1;
  for (long c = 0; c < classes; ++c) {
    const double auc = aucFromRanks(ranks, label, label.kind == LabelKind::Categorical ? static_cast<double>(c) : 1.0);
    if (auc != auc || (s.scored() && !(std::abs(auc - 0.5) > s.strength))) continue;
    s.score = auc, s.strength = std::abs(auc - 0.5), s.sign = auc < 0.5 ? -1 : 1;
    if (label.kind == LabelKind::Categorical) s.category = static_cast<int>(c);
  }
  return s;
}

// The best intersection over union of {steps where the unit is on} with {steps where the label is 1}, the
// unit on at values >= a threshold (or, sign -1, <= it), over every threshold the values allow.
UnitScore iouScore(const std::vector<double>& row, const ProbeLabel& label) {
  std::vector<long> order(row.size());
  std::iota(order.begin(), order.end(), 0L);
  std::sort(order.begin(), order.end(), [&](long a, long b) { return row[a] > row[b]; });
  double positives = 0;
  for (const double v : label.values) positives += v;
  UnitScore s;
  if (positives == 0 || positives == static_cast<double>(row.size())) return s;
  for (const int sign : {1, -1}) {
    double on = 0, hits = 0;
    const long n = static_cast<long>(order.size());
    for (long k = 0; k < n;) {
      // All steps of equal value switch on together.
      const long at = sign > 0 ? k : n - 1 - k;
      const double value = row[order[at]];
      for (; k < n && row[order[sign > 0 ? k : n - 1 - k]] == value; ++k) {
        ++on;
        hits += label.values[order[sign > 0 ? k : n - 1 - k]];
      }
      const double iou = hits / (positives + on - hits);
      if (!s.scored() || iou > s.strength) s.score = s.strength = iou, s.sign = sign, s.threshold = value;
    }
  }
  return s;
}

// Pearson r of every unit in rows [first, end) at once, walking the matrix by columns (steps), as it is laid
// out: the two passes of pearson() in double with a vector of units, no copy of any row. A unit with a value
// that is not finite (its sums are then not finite) or without variance is left unscored.
void pearsonOfRows(const Mat<float>& values, const std::vector<double>& label, long first, long end,
                   std::vector<UnitScore>& scores) {
  const long n = end - first, steps = values.cols();
  // Blocks of steps in double: each block's sums are matrix-vector products, without a temporary per step.
  constexpr long kBlock = 256;
  Mat<double> block(n, kBlock);
  const auto load = [&](long t0, long count) {
    block.leftCols(count) = values.block(first, t0, n, count).cast<double>();
  };
  const Eigen::Map<const Vec<double>> y(label.data(), steps);
  const Vec<double> centredLabel = y.array() - y.mean();
  Vec<double> mean = Vec<double>::Zero(n);
  for (long t0 = 0; t0 < steps; t0 += kBlock) {
    const long count = std::min(kBlock, steps - t0);
    load(t0, count);
    mean += block.leftCols(count).rowwise().sum();
  }
  mean /= static_cast<double>(steps);
  Vec<double> cross = Vec<double>::Zero(n), squares = Vec<double>::Zero(n);
  for (long t0 = 0; t0 < steps; t0 += kBlock) {
    const long count = std::min(kBlock, steps - t0);
    load(t0, count);
    block.leftCols(count).colwise() -= mean;
    cross.noalias() += block.leftCols(count) * centredLabel.segment(t0, count);
    squares += block.leftCols(count).cwiseAbs2().rowwise().sum();
  }
  const double labelSquares = centredLabel.squaredNorm();
  // A constant unit has squares exactly 0: its mean is exactly its value (a sum of fewer than 2^29 equal
  // floats is exact in double), so every centred value is 0.
  for (long k = 0; k < n; ++k)
    if (std::isfinite(squares(k)) && std::isfinite(cross(k)) && squares(k) > 0 && labelSquares > 0)
      scores[static_cast<size_t>(first + k)] =
          correlationScore(std::clamp(cross(k) / std::sqrt(squares(k) * labelSquares), -1.0, 1.0));
}

bool labelVaries(const ProbeLabel& label) {
  return std::any_of(label.values.begin(), label.values.end(), [&](double v) { return v != label.values.front(); });
}

}  // namespace

const char* rankingMetricName(RankingMetric metric) {
  switch (metric) {
    case RankingMetric::Spearman:
      return "spearman";
    case RankingMetric::Auc:
      return "auc";
    case RankingMetric::Iou:
      return "iou";
    case RankingMetric::Pearson:
      break;
  }
  return "pearson";
}

bool parseRankingMetric(const std::string& name, RankingMetric& out) {
  for (const RankingMetric m :
       {RankingMetric::Pearson, RankingMetric::Spearman, RankingMetric::Auc, RankingMetric::Iou})
    if (name == rankingMetricName(m)) return out = m, true;
  return false;
}

RankingMetric defaultRankingMetric(LabelKind kind) {
  return kind == LabelKind::Scalar ? RankingMetric::Pearson : RankingMetric::Auc;
}

bool metricFitsLabel(RankingMetric metric, LabelKind kind) {
  switch (metric) {
    case RankingMetric::Pearson:
    case RankingMetric::Spearman:
      return kind != LabelKind::Categorical;
    case RankingMetric::Auc:
      return kind != LabelKind::Scalar;
    case RankingMetric::Iou:
      return kind == LabelKind::Binary;
  }
  return false;
}

std::vector<double> averageRanks(const std::vector<double>& values) {
  std::vector<long> order(values.size());
  std::iota(order.begin(), order.end(), 0L);
  std::sort(order.begin(), order.end(), [&](long a, long b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t k = 0; k < order.size();) {
    size_t end = k;
    while (end < order.size() && values[order[end]] == values[order[k]]) ++end;
    const double rank = (static_cast<double>(k) + static_cast<double>(end - 1)) / 2 + 1;  // ranks k+1..end
    for (; k < end; ++k) ranks[order[k]] = rank;
  }
  return ranks;
}

std::vector<UnitScore> scoreUnits(const Mat<float>& values, const ProbeLabel& label, RankingMetric metric,
                                  int threads) {
  std::vector<UnitScore> scores(static_cast<size_t>(values.rows()));
  if (label.size() != values.cols() || !metricFitsLabel(metric, label.kind) || !labelVaries(label)) return scores;
  if (metric == RankingMetric::Pearson) {  // needs no sorting: by columns, the units split among the threads
    const long units = values.rows();
    const int n = static_cast<int>(std::clamp<long>(threads, 1, std::max<long>(1, units / kGroup)));
    std::vector<std::thread> pool;
    for (int k = 0; k < n; ++k)
      pool.emplace_back([&, k] { pearsonOfRows(values, label.values, units * k / n, units * (k + 1) / n, scores); });
    for (std::thread& t : pool) t.join();
    return scores;
  }
  const std::vector<double> labelRanks = metric == RankingMetric::Spearman ? averageRanks(label.values) : label.values;
  forEachGroup(values.rows(), threads, [&](long first, long count) {
    const std::vector<std::vector<double>> rows = finiteRows(values, first, count);
    for (long k = 0; k < count; ++k) {
      const std::vector<double>& row = rows[static_cast<size_t>(k)];
      // A constant unit tells nothing: its AUC would be 0.5 and its IoU that of marking every step.
      if (row.empty() || std::all_of(row.begin(), row.end(), [&](double v) { return v == row.front(); })) continue;
      UnitScore& score = scores[static_cast<size_t>(first + k)];
      switch (metric) {
        case RankingMetric::Pearson:
          break;  // scored by pearsonOfRows, above
        case RankingMetric::Spearman:
          score = correlationScore(pearson(averageRanks(row), labelRanks));
          break;
        case RankingMetric::Auc:
          score = aucScore(row, label);
          break;
        case RankingMetric::Iou:
          score = iouScore(row, label);
          break;
      }
    }
  });
  return scores;
}

}  // namespace lstmscope
