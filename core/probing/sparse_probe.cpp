#include "core/probing/sparse_probe.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/probing/coordinate_descent.h"
#include "core/probing/logistic_terms.h"

namespace lstmscope {
namespace {

// Features whose values are not all equal. A constant feature carries nothing and is never given a weight:
// its centred values are rounding only, and in the logistic loss it would stand in for the intercept.
std::vector<bool> varyingFeatures(const Mat<double>& x) {
  std::vector<bool> out(static_cast<size_t>(x.rows()));
  for (long j = 0; j < x.rows(); ++j)
    out[static_cast<size_t>(j)] = x.cols() > 0 && x.row(j).maxCoeff() > x.row(j).minCoeff();
  return out;
}

// The L1 logistic objective's quadratic model at w: g.D + D^T H D / 2 + |w + D|_1 (the intercept last in D).
double modelValue(const LogisticModel& m, const Vec<double>& w, const Vec<double>& move) {
  const long d = w.size();
  return m.gradient.dot(move) + 0.5 * move.dot(m.hessian * move) + (w + move.head(d)).lpNorm<1>();
}

// One row of the L1 logistic probe: min |w|_1 + c sum log(1 + exp(-s_i (w.x_i + b))). Each Newton step
// minimises the loss's quadratic model plus |w|_1 by coordinate descent over w and b (b unpenalised), then
// searches along the step for a sufficient decrease (Tseng & Yun's rule). Returns the Newton steps taken.
int fitL1LogisticRow(const Mat<double>& x, const std::vector<bool>& varying, const std::vector<double>& isPositive,
                     double c, Vec<double>& w, double& b) {
  const long d = x.rows();
  const Eigen::Map<const Vec<double>> target(isPositive.data(), x.cols());
  const auto objective = [&](const Vec<double>& wv, double bv) {
    return wv.lpNorm<1>() + logisticLoss(x, target, c, wv, bv);
  };
  double current = objective(w, b);
  for (int step = 1; step <= 100; ++step) {
    const LogisticModel model = logisticModel(x, target, c, w, b);
    const Vec<double>& gradient = model.gradient;
    const Mat<double>& hessian = model.hessian;
    // Coordinate descent on the model over D, keeping H D up to date.
    Vec<double> move = Vec<double>::Zero(d + 1), hMove = Vec<double>::Zero(d + 1);
    const auto update = [&](long j) {
      const double a = hessian(j, j);
      if (!(a > 0) || (j < d && !varying[static_cast<size_t>(j)])) return 0.0;
      const double slope = gradient(j) + hMove(j);
      const double change = j == d ? -slope / a : softThreshold(w(j) + move(j) - slope / a, 1 / a) - (w(j) + move(j));
      if (change != 0) move(j) += change, hMove += change * hessian.col(j);
      return change;
    };
    // Polish: with the signs s of the non-zero z = w + D fixed and the other weights at 0,
    // H_FF D_F = -(g_F + s_F) - H_F,rest D_rest over F = those weights and the intercept; gone to as far as
    // the signs hold, and kept only if the model falls. H D is then recomputed (no drift from the updates).
    const auto polish = [&] {
      std::vector<long> free;
      Vec<double> held = Vec<double>::Zero(d + 1), sign = Vec<double>::Zero(d + 1);
      for (long j = 0; j < d; ++j) {
        if (w(j) + move(j) != 0)
          free.push_back(j), sign(j) = w(j) + move(j) > 0 ? 1 : -1;
        else
          held(j) = -w(j);  // D_j takes the weight to 0
      }
      free.push_back(d);
      Vec<double> candidate = held;
      if (solveOnCoordinates(hessian, -(gradient + sign) - hessian * held, free, candidate)) {
        Vec<double> base = Vec<double>::Zero(d + 1);
        base.head(d) = w;
        candidate = stepWithinSigns(base, move, candidate, sign);
        if (modelValue(model, w, candidate) < modelValue(model, w, move)) move = candidate;
      }
      hMove = hessian * move;
    };
    coordinateDescent(
        d + 1, update, [&](long j) { return j == d || w(j) + move(j) != 0; },
        [&] { return 1e-14 * (1 + move.lpNorm<Eigen::Infinity>() + w.lpNorm<Eigen::Infinity>()); }, polish);
    // The model's predicted decrease; the step is halved until the objective falls by a share of it.
    const double decrease = gradient.dot(move) + (w + move.head(d)).lpNorm<1>() - w.lpNorm<1>();
    // Near the minimum the quadratic model is exact to rounding and the objective can no longer tell a
    // better point from a worse one: the full step is then taken without a search.
    const bool modelDecides = !(-decrease > 1e-12 * (1 + std::abs(current)));
    double length = 1, next = current, nextB = b;
    Vec<double> nextW;
    bool accepted = false;
    for (int halving = 0; halving < 60 && !accepted; ++halving) {
      if (halving > 0) length /= 2;
      nextW = w + length * move.head(d), nextB = b + length * move(d);
      next = objective(nextW, nextB);
      accepted = modelDecides || next <= current + 0.01 * length * decrease;
    }
    if (!accepted) return step;  // no step lowers the objective any more: rounding decides, it has converged
    const double change = length * move.lpNorm<Eigen::Infinity>();
    w = nextW, b = nextB, current = next;
    if (change <= 1e-11 * (1 + std::max(w.lpNorm<Eigen::Infinity>(), std::abs(b)))) return step;
  }
  return 100;
}

}  // namespace

LassoSolver::LassoSolver(const Mat<double>& x, const std::vector<double>& labels) : varying_(varyingFeatures(x)) {
  const double n = static_cast<double>(x.cols());
  const Eigen::Map<const Vec<double>> y(labels.data(), x.cols());
  xMean_ = x.rowwise().mean(), yMean_ = y.mean();
  const Mat<double> centred = x.colwise() - xMean_;
  gram_ = centred * centred.transpose() / n;
  r_ = centred * (y.array() - yMean_).matrix() / n;
}

double LassoSolver::edge() const {
  double largest = 0;
  for (long j = 0; j < r_.size(); ++j)
    if (varying_[static_cast<size_t>(j)]) largest = std::max(largest, std::abs(r_(j)));
  return largest;
}

LinearProbe LassoSolver::fit(double alpha, const LinearProbe* warmStart) const {
  const long d = r_.size();
  Vec<double> w = warmStart && warmStart->weights.cols() == d ? Vec<double>(warmStart->weights.row(0).transpose())
                                                              : Vec<double>::Zero(d);
  // min (1 / 2n) |yc - Xc^T w|^2 + alpha |w|_1 = w^T G w / 2 - r.w + alpha |w|_1, keeping G w up to date.
  Vec<double> gw = gram_ * w;
  const auto update = [&](long j) {
    const double a = gram_(j, j);
    if (!(a > 0) || !varying_[static_cast<size_t>(j)]) return 0.0;
    const double change = softThreshold(w(j) + (r_(j) - gw(j)) / a, alpha / a) - w(j);
    if (change != 0) w(j) += change, gw += change * gram_.col(j);
    return change;
  };
  const auto objective = [&](const Vec<double>& v) {
    return 0.5 * v.dot(gram_ * v) - r_.dot(v) + alpha * v.lpNorm<1>();
  };
  // Polish: with the signs s of the non-zero weights fixed, G_FF w_F = r_F - alpha s_F (the rest 0); gone to
  // as far as the signs hold, kept only if the objective falls; G w recomputed.
  const auto polish = [&] {
    std::vector<long> free;
    for (long j = 0; j < d; ++j)
      if (w(j) != 0) free.push_back(j);
    const Vec<double> sign = w.array().sign().matrix();
    Vec<double> z = Vec<double>::Zero(d);
    if (!free.empty() && solveOnCoordinates(gram_, r_ - alpha * sign, free, z)) {
      z = stepWithinSigns(Vec<double>::Zero(d), w, z, sign);
      if (objective(z) < objective(w)) w = z;
    }
    gw = gram_ * w;
  };
  coordinateDescent(
      d, update, [&](long j) { return w(j) != 0; }, [&] { return 1e-14 * (1 + w.lpNorm<Eigen::Infinity>()); }, polish);
  LinearProbe probe;
  probe.kind = ProbeKind::Ridge, probe.labelKind = LabelKind::Scalar;
  probe.weights = w.transpose();
  probe.intercepts = Vec<double>::Constant(1, yMean_ - xMean_.dot(w));
  return probe;
}

LinearProbe fitSparseProbe(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                           const ProbeSettings& settings, const LinearProbe* warmStart) {
  if (settings.kind == ProbeKind::Ridge) {
    LinearProbe probe = LassoSolver(x, labels).fit(settings.alpha, warmStart);
    probe.labelKind = labelKind;
    return probe;
  }
  const bool warm = warmStart && warmStart->weights.cols() == x.rows();
  const std::vector<bool> varying = varyingFeatures(x);
  return fitLogisticRows(x, labels, labelKind, classes,
                         [&](const std::vector<double>& isPositive, int row, Vec<double>& w, double& b) {
                           w = Vec<double>::Zero(x.rows());
                           double share = 0;
                           for (const double v : isPositive) share += v;
                           share /= static_cast<double>(isPositive.size());
                           b = std::log(share / (1 - share));  // the best intercept alone
                           if (warm && row < warmStart->weights.rows() && std::isfinite(warmStart->intercepts(row)))
                             w = warmStart->weights.row(row).transpose(), b = warmStart->intercepts(row);
                           return fitL1LogisticRow(x, varying, isPositive, settings.c, w, b);
                         });
}

double sparsityEdge(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                    ProbeKind kind) {
  if (kind == ProbeKind::Ridge) return LassoSolver(x, labels).edge();
  const std::vector<bool> varying = varyingFeatures(x);
  const double n = static_cast<double>(x.cols());
  double edge = std::numeric_limits<double>::infinity();
  const int rows = labelKind == LabelKind::Categorical ? classes : 1;
  for (int r = 0; r < rows; ++r) {
    const double positive = labelKind == LabelKind::Categorical ? r : 1.0;
    Vec<double> residual(x.cols());
    double share = 0;
    for (long i = 0; i < x.cols(); ++i) share += labels[static_cast<size_t>(i)] == positive ? 1 : 0;
    share /= n;
    if (share == 0 || share == 1) continue;
    // At w = 0 the best intercept predicts the share everywhere: the gradient is X (share - t).
    for (long i = 0; i < x.cols(); ++i) residual(i) = share - (labels[static_cast<size_t>(i)] == positive ? 1 : 0);
    const Vec<double> gradient = x * residual;
    double largest = 0;
    for (long j = 0; j < x.rows(); ++j)
      if (varying[static_cast<size_t>(j)]) largest = std::max(largest, std::abs(gradient(j)));
    if (largest > 0) edge = std::min(edge, 1 / largest);
  }
  return edge;
}

long featuresUsed(const LinearProbe& probe) {
  return (probe.weights.array() != 0).colwise().any().count();
}

}  // namespace lstmscope
