#include "core/probing/logistic_terms.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include "core/engine/external_gemm.h"

namespace lstmscope {

// X diag(weights) X^T, the Hessian's data term, as symmetric rank updates of sqrt-weighted columns (half
// the products of X W X^T; OpenBLAS's DSYRK where the machine has it), the steps shared among the cores. In double:
// with features that are nearly collinear (gates that saturate together) a single-precision Hessian steers Newton's
// steps badly.
Mat<double> weightedGram(const Mat<double>& x, const Vec<double>& weights) {
  const long d = x.rows(), n = x.cols();
  const int threads =
      static_cast<int>(std::clamp<long>(std::thread::hardware_concurrency(), 1, std::max(1L, n / 4096)));
  std::vector<Mat<double>> parts(static_cast<size_t>(threads), Mat<double>::Zero(d, d));
  const auto accumulate = [&](int k) {
    constexpr long kBlock = 2048;  // columns scaled at a time: no scaled copy of the whole input
    Mat<double> scaled(d, kBlock);
    for (long first = n * k / threads, end = n * (k + 1) / threads; first < end; first += kBlock) {
      const long count = std::min(kBlock, end - first);
      for (long i = 0; i < count; ++i) scaled.col(i) = x.col(first + i) * std::sqrt(weights(first + i));
      kernels::addLowerRankUpdate(scaled.leftCols(count), parts[static_cast<size_t>(k)]);
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < threads; ++k) pool.emplace_back(accumulate, k);
  accumulate(0);
  for (std::thread& t : pool) t.join();
  for (int k = 1; k < threads; ++k) parts[0] += parts[static_cast<size_t>(k)];
  return parts[0].selfadjointView<Eigen::Lower>();
}

double logisticLoss(const Mat<double>& x, const Vec<double>& target, double c, const Vec<double>& w, double b) {
  const Vec<double> margin = (x.transpose() * w).array() + b;
  double loss = 0;
  for (long i = 0; i < x.cols(); ++i) loss += logLoss(target(i) > 0 ? margin(i) : -margin(i));
  return c * loss;
}

LogisticModel logisticModel(const Mat<double>& x, const Vec<double>& target, double c, const Vec<double>& w, double b) {
  const long d = x.rows(), n = x.cols();
  const Vec<double> margin = (x.transpose() * w).array() + b;
  // p_i = sigmoid(margin_i); the loss's gradient in the margin is p_i - t_i, its curvature p_i (1 - p_i).
  Vec<double> residual(n), curvature(n);
  for (long i = 0; i < n; ++i) {
    const double p = 1 / (1 + std::exp(-margin(i)));
    residual(i) = p - target(i), curvature(i) = std::max(p * (1 - p), 1e-300);
  }
  LogisticModel m;
  m.gradient.resize(d + 1);
  m.gradient.head(d) = c * (x * residual), m.gradient(d) = c * residual.sum();
  m.hessian.resize(d + 1, d + 1);
  m.hessian.topLeftCorner(d, d) = c * weightedGram(x, curvature);
  m.hessian.block(0, d, d, 1) = c * (x * curvature);
  m.hessian.block(d, 0, 1, d) = m.hessian.block(0, d, d, 1).transpose();
  m.hessian(d, d) = c * curvature.sum();
  return m;
}

}  // namespace lstmscope
