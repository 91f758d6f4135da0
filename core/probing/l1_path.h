// The L1 path (docs/PROBES.md "L1 probes and the L1 path"): L1 probes from the penalty that leaves every
// coefficient zero down through weaker ones, each warm-started from the last. Each point's units (those with
// a non-zero coefficient) are then given to the full probe (its kind and L2 penalty) alone: its test score
// on them answers "how few units carry the label?" — the fewest units that reach 95 % of the full probe's
// gain over the constant prediction (for R^2, 95 % of its score; for accuracy, the majority class would
// otherwise pass with any unit on an imbalanced label). (The L1 probe's own scores are kept too; they understate what
// its units carry, since the penalty that chose them also shrinks their weights.)
#pragma once

#include <limits>
#include <vector>

#include "core/common/progress.h"
#include "core/probing/sparse_probe.h"

namespace lstmscope {

struct L1PathPoint {
  double penalty = 0;                              // the lasso's alpha, or the logistic probe's C
  long units = 0;                                  // features with a non-zero coefficient
  double trainScore = 0, testScore = 0;            // the L1 probe's
  double refitTrainScore = 0, refitTestScore = 0;  // the full probe's on those units alone (none: the L1 probe's)
};

struct L1Path {
  ProbeKind kind = ProbeKind::Ridge;
  std::vector<L1PathPoint> points;  // strongest penalty first
  // The constant prediction's test score (R^2: 0; accuracy: the training steps' most frequent class), and
  // baseline + 95 % of the full probe's gain over it (NaN when it gains nothing).
  double baseline = std::numeric_limits<double>::quiet_NaN();
  double target = std::numeric_limits<double>::quiet_NaN();
  long unitsFor95 = -1;             // the fewest units of a point whose refit test score reaches target; -1: none does
  std::vector<long> featuresFor95;  // that point's units, as feature indices (probe_units.h says which unit)
  // The full probe refitted on those units alone (weights in their order), and the change of its score
  // w.x that steering along it makes (docs/PROBES.md "From a probe to an intervention"): for numbers the
  // training labels' standard deviation, for 0/1 labels the training steps' mean score with label 1 minus
  // that with label 0; NaN for categories (one direction per category) and when no point reaches the target.
  LinearProbe probeFor95;
  double steeringShift = std::numeric_limits<double>::quiet_NaN();
};

// The test score of the constant prediction learnt from the training labels: 0 for R^2 (the mean's), else
// the accuracy of always answering the training steps' most frequent class (ties: the smallest).
double constantScore(const std::vector<double>& trainLabels, const std::vector<double>& testLabels, ProbeKind kind);

// How far steering along `probe` (one row, fitted on `train`'s features) moves its score w.x: see
// L1Path::steeringShift.
double steeringShift(const LinearProbe& probe, const Mat<double>& train, const std::vector<double>& labels,
                     LabelKind labelKind);

// At most 16 points, the penalty weakened by 10^(1/4) each time (four decades), stopping early once a
// point's refit scores as well as the full probe or uses every feature. `full`: the full probe's settings
// (its kind is the path's; the refits use its L2 penalty, or the default one when `full` is L1). Throws
// std::invalid_argument as fitSparseProbe.
L1Path l1Path(const Mat<double>& train, const std::vector<double>& trainLabels, const Mat<double>& test,
              const std::vector<double>& testLabels, LabelKind labelKind, int classes, const ProbeSettings& full,
              double fullTestScore, const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
