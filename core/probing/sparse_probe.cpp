#include "core/probing/sparse_probe.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/probing/logistic_terms.h"

namespace lstmscope {
namespace {

double softThreshold(double v, double t) {
  return v > t ? v - t : v < -t ? v + t : 0.0;
}

// Cyclic coordinate descent: update(j) moves coordinate j to its best value and returns the change. Sweeps
// over every coordinate alternate with up to 30 sweeps over the non-zero ones (`active`), after which
// polish() may jump to the exact minimiser for the current signs (coordinate descent alone crawls when the
// curvature is ill-conditioned, as near-separable logistic probes make it), until a sweep over every
// coordinate changes none by more than `tolerance()`.
template <class Update, class Active, class Tolerance, class Polish>
void coordinateDescent(long coordinates, const Update& update, const Active& active, const Tolerance& tolerance,
                       const Polish& polish) {
  constexpr int kRounds = 2000, kActiveSweeps = 30;
  for (int round = 0; round < kRounds; ++round) {
    double largest = 0;
    for (long j = 0; j < coordinates; ++j) largest = std::max(largest, std::abs(update(j)));
    if (largest <= tolerance()) return;
    for (int sweep = 0; sweep < kActiveSweeps; ++sweep) {
      double activeLargest = 0;
      for (long j = 0; j < coordinates; ++j)
        if (active(j)) activeLargest = std::max(activeLargest, std::abs(update(j)));
      if (activeLargest <= tolerance()) break;
    }
    polish();
  }
}

// The minimiser of z^T H z / 2 - z . rhs over the coordinates `free` (the others held where they are, their
// pull already in rhs), or nothing when H is singular there. Used by the polish steps: with the signs of the
// non-zero coordinates fixed, |z|_1 is linear and the L1 problem is this quadratic.
bool solveOnCoordinates(const Mat<double>& h, const Vec<double>& rhs, const std::vector<long>& free, Vec<double>& z) {
  const Eigen::LDLT<Mat<double>> factor(h(free, free));
  if (factor.info() != Eigen::Success || !factor.isPositive()) return false;
  const Vec<double> solution = factor.solve(rhs(free));
  if (!solution.allFinite()) return false;
  z(free) = solution;
  return true;
}

// Moves `from` towards `to` (both offsets from `base`), stopping where the first coordinate with a sign
// (sign != 0) would cross zero, which is then set to exactly 0: on the way the L1 problem is the convex
// quadratic `to` minimises, so every such step lowers it. Returns where it stopped.
Vec<double> stepWithinSigns(const Vec<double>& base, const Vec<double>& from, const Vec<double>& to,
                            const Vec<double>& sign) {
  double share = 1;
  long stop = -1;
  for (long j = 0; j < sign.size(); ++j) {
    if (sign(j) == 0 || (base(j) + to(j)) * sign(j) > 0) continue;
    const double at = (base(j) + from(j)) / ((base(j) + from(j)) - (base(j) + to(j)));  // where base + point = 0
    if (at < share) share = at, stop = j;
  }
  Vec<double> point = from + share * (to - from);
  if (stop >= 0) point(stop) = -base(stop);
  return point;
}

// The lasso on centred data: min (1 / 2n) |yc - Xc^T w|^2 + alpha |w|_1 by cyclic coordinate descent on
// G = Xc Xc^T / n and r = Xc yc / n (computed once: a sweep costs d^2, not d n), keeping G w up to date.
struct LassoProblem {
  Vec<double> xMean, r;
  Mat<double> gram;
  double yMean = 0;
  LassoProblem(const Mat<double>& x, const std::vector<double>& labels) {
    const double n = static_cast<double>(x.cols());
    const Eigen::Map<const Vec<double>> y(labels.data(), x.cols());
    xMean = x.rowwise().mean(), yMean = y.mean();
    const Mat<double> centred = x.colwise() - xMean;
    gram = centred * centred.transpose() / n;
    r = centred * (y.array() - yMean).matrix() / n;
  }
  void solve(double alpha, Vec<double>& w) const {
    Vec<double> gw = gram * w;
    const auto update = [&](long j) {
      const double a = gram(j, j);
      if (!(a > 0)) return 0.0;  // a constant feature keeps 0
      const double change = softThreshold(w(j) + (r(j) - gw(j)) / a, alpha / a) - w(j);
      if (change != 0) w(j) += change, gw += change * gram.col(j);
      return change;
    };
    // Polish: with the signs s of the non-zero weights fixed, G_FF w_F = r_F - alpha s_F (the rest 0); went
    // to as far as the signs hold.
    const auto polish = [&] {
      std::vector<long> free;
      for (long j = 0; j < w.size(); ++j)
        if (w(j) != 0) free.push_back(j);
      if (free.empty()) return;
      const Vec<double> sign = w.array().sign().matrix();
      Vec<double> z = Vec<double>::Zero(w.size());
      if (!solveOnCoordinates(gram, r - alpha * sign, free, z)) return;
      w = stepWithinSigns(Vec<double>::Zero(w.size()), w, z, sign), gw = gram * w;
    };
    coordinateDescent(
        w.size(), update, [&](long j) { return w(j) != 0; }, [&] { return 1e-14 * (1 + w.lpNorm<Eigen::Infinity>()); },
        polish);
  }
};

// One row of the L1 logistic probe: min |w|_1 + c sum log(1 + exp(-s_i (w.x_i + b))). Each Newton step
// minimises the loss's quadratic model plus |w|_1 by coordinate descent over w and b (b unpenalised), then
// searches along the step for a sufficient decrease (Tseng & Yun's rule). Returns the Newton steps taken.
int fitL1LogisticRow(const Mat<double>& x, const std::vector<double>& isPositive, double c, Vec<double>& w, double& b) {
  const long d = x.rows(), n = x.cols();
  const Eigen::Map<const Vec<double>> target(isPositive.data(), n);
  const auto objective = [&](const Vec<double>& wv, double bv) {
    const Vec<double> margin = (x.transpose() * wv).array() + bv;
    double loss = 0;
    for (long i = 0; i < n; ++i) loss += logLoss(target(i) > 0 ? margin(i) : -margin(i));
    return wv.lpNorm<1>() + c * loss;
  };
  double current = objective(w, b);
  for (int step = 1; step <= 100; ++step) {
    const Vec<double> margin = (x.transpose() * w).array() + b;
    Vec<double> residual(n), curvature(n);
    for (long i = 0; i < n; ++i) {
      const double p = 1 / (1 + std::exp(-margin(i)));
      residual(i) = p - target(i), curvature(i) = p * (1 - p);
    }
    Vec<double> gradient(d + 1);  // of the loss term; the intercept last
    gradient.head(d) = c * (x * residual), gradient(d) = c * residual.sum();
    Mat<double> hessian(d + 1, d + 1);
    hessian.topLeftCorner(d, d) = c * weightedGram(x, curvature);
    hessian.block(0, d, d, 1) = c * (x * curvature);
    hessian.block(d, 0, 1, d) = hessian.block(0, d, d, 1).transpose();
    hessian(d, d) = c * curvature.sum();
    // Coordinate descent on g.D + D^T H D / 2 + |w + D|_1, keeping H D up to date.
    Vec<double> move = Vec<double>::Zero(d + 1), hMove = Vec<double>::Zero(d + 1);
    const auto update = [&](long j) {
      const double a = hessian(j, j);
      if (!(a > 0)) return 0.0;
      const double slope = gradient(j) + hMove(j);
      const double change = j == d ? -slope / a : softThreshold(w(j) + move(j) - slope / a, 1 / a) - (w(j) + move(j));
      if (change != 0) move(j) += change, hMove += change * hessian.col(j);
      return change;
    };
    // Polish: with the signs s of the non-zero z = w + D fixed and the other weights at 0,
    // H_FF D_F = -(g_F + s_F) - H_F,rest D_rest over F = those weights and the intercept; gone to as far
    // as the signs hold.
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
      if (!solveOnCoordinates(hessian, -(gradient + sign) - hessian * held, free, candidate)) return;
      Vec<double> base = Vec<double>::Zero(d + 1);
      base.head(d) = w;
      move = stepWithinSigns(base, move, candidate, sign), hMove = hessian * move;
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

LinearProbe fitSparseProbe(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                           const ProbeSettings& settings, const LinearProbe* warmStart) {
  const bool warm = warmStart && warmStart->weights.cols() == x.rows();
  if (settings.kind == ProbeKind::Ridge) {
    LinearProbe probe;
    probe.kind = ProbeKind::Ridge, probe.labelKind = labelKind;
    const LassoProblem lasso(x, labels);
    Vec<double> w = warm ? Vec<double>(warmStart->weights.row(0).transpose()) : Vec<double>::Zero(x.rows());
    lasso.solve(settings.alpha, w);
    probe.weights = w.transpose();
    probe.intercepts = Vec<double>::Constant(1, lasso.yMean - lasso.xMean.dot(w));
    return probe;
  }
  return fitLogisticRows(x, labels, labelKind, classes,
                         [&](const std::vector<double>& isPositive, int row, Vec<double>& w, double& b) {
                           w = Vec<double>::Zero(x.rows());
                           double share = 0;
                           for (const double v : isPositive) share += v;
                           share /= static_cast<double>(isPositive.size());
                           b = std::log(share / (1 - share));  // the best intercept alone
                           if (warm && row < warmStart->weights.rows() && std::isfinite(warmStart->intercepts(row)))
                             w = warmStart->weights.row(row).transpose(), b = warmStart->intercepts(row);
                           return fitL1LogisticRow(x, isPositive, settings.c, w, b);
                         });
}

double sparsityEdge(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                    ProbeKind kind) {
  const double n = static_cast<double>(x.cols());
  if (kind == ProbeKind::Ridge) {
    const Eigen::Map<const Vec<double>> y(labels.data(), x.cols());
    const Vec<double> centredY = y.array() - y.mean();
    return ((x.colwise() - x.rowwise().mean()) * centredY).cwiseAbs().maxCoeff() / n;
  }
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
    const double largest = (x * residual).cwiseAbs().maxCoeff();
    if (largest > 0) edge = std::min(edge, 1 / largest);
  }
  return edge;
}

long featuresUsed(const LinearProbe& probe) {
  return (probe.weights.array() != 0).colwise().any().count();
}

}  // namespace lstmscope
