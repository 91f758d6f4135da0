// How well one unit's values over the steps follow a label (docs/PROBES.md "Unit ranking"): Pearson and
// Spearman r for numbers, ROC AUC and LSTMVis's best-threshold IoU for 0/1 labels, the best one-vs-rest
// AUC for categories. Every score carries its sign: a unit may track a property negatively.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/probing/probe_label.h"

namespace lstmscope {

enum class RankingMetric { Pearson, Spearman, Auc, Iou };
const char* rankingMetricName(RankingMetric metric);  // "pearson", "spearman", "auc", "iou"
bool parseRankingMetric(const std::string& name, RankingMetric& out);
// pearson for numbers, auc for 0/1 labels and categories.
RankingMetric defaultRankingMetric(LabelKind kind);
// Pearson and Spearman need numbers (0/1 counts as numbers), IoU a 0/1 label, AUC a 0/1 or categorical one.
bool metricFitsLabel(RankingMetric metric, LabelKind kind);

struct UnitScore {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  double score = kNone;      // r (signed), the AUC (0..1; below 0.5: the unit is low where the label is on), IoU
  double strength = kNone;   // what the ranking sorts by: |r|, |AUC - 0.5|, IoU. NaN: the unit is not scored
  int sign = 0;              // +1: high where the label is high (or on); -1: low there
  int category = -1;         // categories: the one whose one-vs-rest AUC is farthest from 0.5
  double threshold = kNone;  // IoU: the unit is on at values >= threshold (sign +1) or <= threshold (-1)
  bool scored() const { return strength == strength; }
};

// Scores every unit (row) of `values` (H x T, column t = step t) against `label` (T values), on `threads`
// threads. A unit with a value that is not finite, or constant over the steps, is not scored; nor is any
// unit when the label is constant (no variance, or one class only).
std::vector<UnitScore> scoreUnits(const Mat<float>& values, const ProbeLabel& label, RankingMetric metric,
                                  int threads = 1);

// The average ranks (1-based, ties share their mean rank), as scipy.stats.rankdata.
std::vector<double> averageRanks(const std::vector<double>& values);

}  // namespace lstmscope
