// Diagnostic classifiers (Hupkes et al. 2018): a linear model that reads a label off the units' values
// (docs/PROBES.md "Probes"). Ridge regression for numbers; L2-regularised logistic regression for 0/1
// labels, and one per category against the rest for categories. The objectives are scikit-learn's
// (Ridge(alpha), LogisticRegression(C, multi_class="ovr")), solved to convergence by Newton's method, so
// the tests compare coefficients with scikit-learn's.
#pragma once

#include <functional>
#include <string>

#include "core/model/model.h"
#include "core/probing/probe_label.h"

namespace lstmscope {

enum class ProbeKind { Ridge, Logistic };
const char* probeKindName(ProbeKind kind);  // "ridge", "logistic"
// Ridge for numbers, logistic for 0/1 labels and categories.
ProbeKind defaultProbeKind(LabelKind kind);

// L2 (default): ridge and L2 logistic regression. L1: the lasso for numbers and L1 logistic regression,
// whose many zero coefficients show how few units carry the label (sparse_probe.h).
enum class ProbePenalty { L2, L1 };
const char* probePenaltyName(ProbePenalty penalty);  // "l2", "l1"

struct ProbeSettings {
  ProbeKind kind = ProbeKind::Ridge;
  ProbePenalty penalty = ProbePenalty::L2;
  double alpha = 1.0;  // ridge: the penalty alpha * |w|^2; lasso: (1 / 2n) |y - Xw - b|^2 + alpha |w|_1
  double c = 1.0;      // logistic: the inverse penalty; minimises |w|^2 / 2 (L1: |w|_1) + c * sum of log-losses
};

struct LinearProbe {
  ProbeKind kind = ProbeKind::Ridge;
  LabelKind labelKind = LabelKind::Scalar;
  Mat<double> weights;     // one row (numbers, 0/1) or one per category, one column per feature
  Vec<double> intercepts;  // one per row; never penalised
  int newtonSteps = 0;     // logistic: the most Newton steps one row took
};

// Fits the probe to the columns of `x` (features x steps) and their labels (0/1 or a category index for
// logistic; numbers for ridge). `classes`: the label's number of categories (categorical labels only).
// An L1 penalty is fitted by fitSparseProbe (sparse_probe.h).
// Throws std::invalid_argument when a logistic probe's labels have one class only.
LinearProbe fitLinearProbe(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                           const ProbeSettings& settings);

// The logistic probe's rows, each fitted by fitRow(isPositive, row, w, b) (returning its Newton steps): one
// for 0/1 labels, one per category against the rest; a category the steps never have is never predicted.
// Throws std::invalid_argument when the labels have one class only.
using LogisticRowFit = std::function<int(const std::vector<double>& isPositive, int row, Vec<double>& w, double& b)>;
LinearProbe fitLogisticRows(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                            const LogisticRowFit& fitRow);

// Each column's prediction: the number (ridge), or the class (0/1, or the category whose row scores highest).
std::vector<double> predictWithProbe(const LinearProbe& probe, const Mat<double>& x);

// Accuracy for classes; R^2 (1 - residual / total sum of squares, as scikit-learn's score) for numbers.
double probeScore(const LinearProbe& probe, const std::vector<double>& predictions, const std::vector<double>& labels);

}  // namespace lstmscope
