// Terms of a logistic probe's objective shared by the L2 (linear_probe.cpp) and L1 (sparse_probe.cpp)
// solvers: the log-loss and the Hessian's data term.
#pragma once

#include <cmath>

#include "core/model/model.h"

namespace lstmscope {

// log(1 + exp(-margin)), without overflow.
inline double logLoss(double margin) {
  return margin > 0 ? std::log1p(std::exp(-margin)) : -margin + std::log1p(std::exp(margin));
}

// X diag(weights) X^T for x (features x steps) and one non-negative weight per step, on every core.
Mat<double> weightedGram(const Mat<double>& x, const Vec<double>& weights);

// c * sum log(1 + exp(-s_i (w.x_i + b))) over the columns of x, s_i = +1 where target_i is 1, else -1.
double logisticLoss(const Mat<double>& x, const Vec<double>& target, double c, const Vec<double>& w, double b);

// That loss's gradient and Hessian over (w, b), the intercept b last: a Newton step's quadratic model.
struct LogisticModel {
  Vec<double> gradient;  // c X (p - t), c sum (p - t)
  Mat<double> hessian;   // c X W X^T with W = diag(p (1 - p)), bordered by the intercept's row and column
};
LogisticModel logisticModel(const Mat<double>& x, const Vec<double>& target, double c, const Vec<double>& w, double b);

}  // namespace lstmscope
