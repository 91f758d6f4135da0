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

}  // namespace lstmscope
