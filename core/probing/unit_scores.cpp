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

// The label cut into the blocks of steps Pearson r is summed in: each block's mean and its values centred on it.
struct BlockedLabel {
  static constexpr long kBlock = 256;  // steps: long enough that merging blocks costs little, short for accuracy
  std::vector<double> centred, means;
  explicit BlockedLabel(const std::vector<double>& y) : centred(y.size()) {
    for (size_t t0 = 0; t0 < y.size(); t0 += kBlock) {
      const size_t end = std::min(y.size(), t0 + kBlock);
      const double mean = std::accumulate(y.begin() + t0, y.begin() + end, 0.0) / static_cast<double>(end - t0);
      for (size_t t = t0; t < end; ++t) centred[t] = y[t] - mean;
      means.push_back(mean);
    }
  }
};

// The sums Pearson r needs over a run of steps, for every unit: the count, the means, the sums of squared
// deviations and of the products of the unit's and the label's deviations.
struct PearsonSums {
  double count = 0, labelMean = 0, labelSquares = 0;
  Eigen::ArrayXd mean, squares, cross;
  explicit PearsonSums(long units)
      : mean(Eigen::ArrayXd::Zero(units)), squares(Eigen::ArrayXd::Zero(units)), cross(Eigen::ArrayXd::Zero(units)) {}

  // Chan et al.'s pairwise update: these sums and another run's make the sums of both runs, as accurately as
  // the two-pass formula would.
  void add(const PearsonSums& other) {
    const double total = count + other.count;
    if (other.count == 0) return;
    const double weight = count * other.count / total, share = other.count / total;
    const double labelShift = other.labelMean - labelMean;
    const Eigen::ArrayXd meanShift = other.mean - mean;
    squares += other.squares + meanShift.square() * weight;
    cross += other.cross + meanShift * (labelShift * weight);
    mean += meanShift * share;  // the first run's mean is then exactly other.mean (share 1)
    labelSquares += other.labelSquares + labelShift * labelShift * weight;
    labelMean += labelShift * share;
    count = total;
  }
};

// The sums of steps [t0, t0 + count) (one block) for every unit in rows [first, first + units). Each unit's
// sums are taken from its first value in the block: (first value - mean)^2 is at most the block's sum of
// squares, so they stay accurate to ~count ulps, and a constant unit's are exactly its value and 0.
void blockSums(const Mat<float>& values, const BlockedLabel& label, long t0, long count, long b, PearsonSums& out) {
  const long units = values.rows();
  const Eigen::ArrayXd shift = values.col(t0).cast<double>().array();
  Eigen::ArrayXd sum = Eigen::ArrayXd::Zero(units), sumSquares = sum, sumCross = sum;
  double labelSum = 0, labelSumSquares = 0;
  for (long t = t0; t < t0 + count; ++t) {
    const double y = label.centred[static_cast<size_t>(t)];
    // One fused loop over the units (Eigen would make three); the compiler vectorises it.
    const float* __restrict x = values.col(t).data();
    double* __restrict s1 = sum.data(), * __restrict s2 = sumSquares.data(), * __restrict sc = sumCross.data();
    const double* __restrict k0 = shift.data();
    for (long k = 0; k < units; ++k) {
      const double d = static_cast<double>(x[k]) - k0[k];
      s1[k] += d, s2[k] += d * d, sc[k] += d * y;
    }
    labelSum += y, labelSumSquares += y * y;
  }
  const double c = static_cast<double>(count);
  out.count = c;
  out.mean = shift + sum / c;
  out.squares = sumSquares - sum.square() / c;
  out.cross = sumCross - sum * (labelSum / c);  // the label is centred on its block's mean: labelSum is rounding
  out.labelMean = label.means[static_cast<size_t>(b)];
  out.labelSquares = labelSumSquares - labelSum * labelSum / c;
}

// The sums of blocks [firstBlock, endBlock) of every unit: the matrix read once, by columns, as it is laid out.
PearsonSums sumsOfBlocks(const Mat<float>& values, const BlockedLabel& label, long firstBlock, long endBlock) {
  constexpr long kBlock = BlockedLabel::kBlock;
  PearsonSums total(values.rows()), block(values.rows());
  for (long b = firstBlock; b < endBlock; ++b) {
    const long t0 = b * kBlock;
    blockSums(values, label, t0, std::min(kBlock, values.cols() - t0), b, block);
    total.add(block);
  }
  return total;
}

// Pearson r of every unit, the steps shared out among `threads` threads (each streams its own part of the
// matrix) and their sums merged. A unit with a value that is not finite (its sums are then not finite) or
// without variance is left unscored.
void pearsonOfUnits(const Mat<float>& values, const ProbeLabel& label, int threads, std::vector<UnitScore>& scores) {
  const BlockedLabel blocked(label.values);
  const long blocks = static_cast<long>(blocked.means.size());
  const int n = static_cast<int>(std::clamp<long>(threads, 1, blocks));
  std::vector<PearsonSums> parts(static_cast<size_t>(n), PearsonSums(values.rows()));
  std::vector<std::thread> pool;
  for (int k = 0; k < n; ++k)
    pool.emplace_back([&, k] {
      parts[static_cast<size_t>(k)] = sumsOfBlocks(values, blocked, blocks * k / n, blocks * (k + 1) / n);
    });
  for (std::thread& t : pool) t.join();
  PearsonSums all(values.rows());
  for (const PearsonSums& part : parts) all.add(part);
  for (long k = 0; k < values.rows(); ++k)
    if (std::isfinite(all.squares(k)) && std::isfinite(all.cross(k)) && all.squares(k) > 0 && all.labelSquares > 0)
      scores[static_cast<size_t>(k)] =
          correlationScore(std::clamp(all.cross(k) / std::sqrt(all.squares(k) * all.labelSquares), -1.0, 1.0));
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
  if (metric == RankingMetric::Pearson) return pearsonOfUnits(values, label, threads, scores), scores;
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
