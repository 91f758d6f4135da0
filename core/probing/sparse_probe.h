// L1-penalised probes (docs/PROBES.md "L1 probes and the L1 path"): the lasso for numbers, L1 logistic
// regression for 0/1 labels and categories. Their zero coefficients say which units the probe does without:
// the L1 path (l1_path.h) counts how few units reach the full probe's score.
//
// The objectives are scikit-learn's Lasso(alpha) — (1 / 2n) |y - Xw - b|^2 + alpha |w|_1 — and
// LogisticRegression(penalty="l1", C) with an unpenalised intercept — |w|_1 + C sum log(1 + e^(-s(w.x + b))).
// Both are solved to convergence by coordinate descent: on the Gram matrix for the lasso; on each Newton
// step's quadratic model for the logistic loss (newGLMNET, Yuan et al. 2012), with a line search.
#pragma once

#include <vector>

#include "core/probing/linear_probe.h"

namespace lstmscope {

// The lasso of one input at any alpha: the centred Gram matrix G = Xc Xc^T / n and r = Xc yc / n are made
// once (a sweep of coordinate descent then costs d^2, not d n), so the L1 path solves every point from them.
class LassoSolver {
 public:
  LassoSolver(const Mat<double>& x, const std::vector<double>& labels);
  // The smallest alpha at which every weight is 0: the largest |r_j| over features that vary (0: none does).
  double edge() const;
  LinearProbe fit(double alpha, const LinearProbe* warmStart = nullptr) const;

 private:
  std::vector<bool> varying_;
  Vec<double> xMean_, r_;
  Mat<double> gram_;
  double yMean_ = 0;
};

// Fits an L1 probe (settings.kind: Ridge means the lasso, with settings.alpha; Logistic uses settings.c) to
// the columns of `x` (features x steps). `warmStart`: a probe of the same shape to start from (the path's
// previous point), or null. Throws std::invalid_argument when a logistic probe's labels have one class only.
LinearProbe fitSparseProbe(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                           const ProbeSettings& settings, const LinearProbe* warmStart = nullptr);

// The penalty beyond which every coefficient is zero: the lasso's smallest such alpha (the largest
// |X_j . (y - mean)| / n of centred features), or the logistic probe's largest such C (1 / the largest
// |gradient| of the loss at w = 0 with the best intercept), over the rows of categories (the first row to
// leave zero). Only features that vary count; infinity (lasso: 0) when none does.
double sparsityEdge(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                    ProbeKind kind);

// The features with a non-zero coefficient in any row.
long featuresUsed(const LinearProbe& probe);

}  // namespace lstmscope
