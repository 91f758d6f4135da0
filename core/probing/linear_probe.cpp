#include "core/probing/linear_probe.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/probing/logistic_terms.h"
#include "core/probing/sparse_probe.h"

namespace lstmscope {
namespace {

// min over w, b of |y - X^T w - b|^2 + alpha |w|^2: centring removes b, then (Xc Xc^T + alpha I) w = Xc yc.
void fitRidge(const Mat<double>& x, const std::vector<double>& labels, double alpha, LinearProbe& probe) {
  const Eigen::Map<const Vec<double>> y(labels.data(), static_cast<long>(labels.size()));
  const Vec<double> xMean = x.rowwise().mean();
  const double yMean = y.mean();
  const Mat<double> centred = x.colwise() - xMean;
  Mat<double> gram = centred * centred.transpose();
  gram.diagonal().array() += alpha;
  const Vec<double> w = gram.ldlt().solve(centred * (y.array() - yMean).matrix());
  probe.weights = w.transpose();
  probe.intercepts = Vec<double>::Constant(1, yMean - xMean.dot(w));
}

// The L2 logistic objective |w|^2 / 2 + c * sum log(1 + exp(-s_i (w.x_i + b))), s_i = +-1, minimised by
// Newton's method with a backtracking line search; the intercept b is the last coordinate, unpenalised.
// Returns the Newton steps taken.
int fitLogisticRow(const Mat<double>& x, const std::vector<double>& isPositive, double c, Vec<double>& w, double& b) {
  const long d = x.rows();
  const Eigen::Map<const Vec<double>> target(isPositive.data(), x.cols());
  const auto objective = [&](const Vec<double>& wv, double bv) {
    return 0.5 * wv.squaredNorm() + logisticLoss(x, target, c, wv, bv);
  };
  w = Vec<double>::Zero(d), b = 0;
  double current = objective(w, b);
  for (int step = 1; step <= 100; ++step) {
    LogisticModel model = logisticModel(x, target, c, w, b);
    model.gradient.head(d) += w;  // the penalty |w|^2 / 2
    model.hessian.topLeftCorner(d, d).diagonal().array() += 1.0;
    // The penalty makes the Hessian positive definite: Cholesky (blocked, unlike LDL^T) unless rounding says no.
    const Eigen::LLT<Mat<double>> cholesky(model.hessian);
    const Vec<double> direction = cholesky.info() == Eigen::Success
                                      ? Vec<double>(-cholesky.solve(model.gradient))
                                      : Vec<double>(-model.hessian.ldlt().solve(model.gradient));
    // Newton's step, halved until the objective does not rise (it always holds near the minimum).
    double length = 1;
    Vec<double> nextW;
    double nextB = 0, next = current;
    for (int halving = 0; halving < 60; ++halving, length /= 2) {
      nextW = w + length * direction.head(d), nextB = b + length * direction(d);
      next = objective(nextW, nextB);
      if (next <= current) break;
    }
    const double change = length * direction.lpNorm<Eigen::Infinity>();
    w = nextW, b = nextB, current = next;
    if (change <= 1e-11 * (1 + std::max(w.lpNorm<Eigen::Infinity>(), std::abs(b)))) return step;
  }
  return 100;
}

}  // namespace

const char* probeKindName(ProbeKind kind) {
  return kind == ProbeKind::Logistic ? "logistic" : "ridge";
}

const char* probePenaltyName(ProbePenalty penalty) {
  return penalty == ProbePenalty::L1 ? "l1" : "l2";
}

ProbeKind defaultProbeKind(LabelKind kind) {
  return kind == LabelKind::Scalar ? ProbeKind::Ridge : ProbeKind::Logistic;
}

LinearProbe fitLinearProbe(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                           const ProbeSettings& settings) {
  if (settings.penalty == ProbePenalty::L1) return fitSparseProbe(x, labels, labelKind, classes, settings);
  LinearProbe probe;
  probe.kind = settings.kind, probe.labelKind = labelKind;
  if (settings.kind == ProbeKind::Ridge) {
    fitRidge(x, labels, settings.alpha, probe);
    return probe;
  }
  return fitLogisticRows(x, labels, labelKind, classes,
                         [&](const std::vector<double>& isPositive, int, Vec<double>& w, double& b) {
                           return fitLogisticRow(x, isPositive, settings.c, w, b);
                         });
}

LinearProbe fitLogisticRows(const Mat<double>& x, const std::vector<double>& labels, LabelKind labelKind, int classes,
                            const LogisticRowFit& fitRow) {
  LinearProbe probe;
  probe.kind = ProbeKind::Logistic, probe.labelKind = labelKind;
  // Binary: one row for class 1. Categories: one row per category, that category against the rest.
  const int rows = labelKind == LabelKind::Categorical ? classes : 1;
  if (labelKind == LabelKind::Categorical) {
    std::vector<double> present(labels);
    std::sort(present.begin(), present.end());
    if (std::unique(present.begin(), present.end()) - present.begin() < 2)
      throw std::invalid_argument("the training steps have one class only");
  }
  probe.weights.resize(rows, x.rows());
  probe.intercepts.resize(rows);
  for (int r = 0; r < rows; ++r) {
    const double positive = labelKind == LabelKind::Categorical ? r : 1.0;
    std::vector<double> isPositive(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) isPositive[i] = labels[i] == positive ? 1.0 : 0.0;
    const bool anyPositive = std::find(isPositive.begin(), isPositive.end(), 1.0) != isPositive.end();
    const bool anyNegative = std::find(isPositive.begin(), isPositive.end(), 0.0) != isPositive.end();
    if (labelKind != LabelKind::Categorical && !(anyPositive && anyNegative))
      throw std::invalid_argument("the training steps have one class only");
    if (!anyPositive) {  // a category the training steps never have: never predicted (as scikit-learn)
      probe.weights.row(r).setZero();
      probe.intercepts(r) = -std::numeric_limits<double>::infinity();
      continue;
    }
    Vec<double> w;
    double b = 0;
    probe.newtonSteps = std::max(probe.newtonSteps, fitRow(isPositive, r, w, b));
    probe.weights.row(r) = w.transpose();
    probe.intercepts(r) = b;
  }
  return probe;
}

std::vector<double> predictWithProbe(const LinearProbe& probe, const Mat<double>& x) {
  const Mat<double> scores = (probe.weights * x).colwise() + probe.intercepts;
  std::vector<double> out(static_cast<size_t>(x.cols()));
  for (long i = 0; i < x.cols(); ++i) {
    if (probe.kind == ProbeKind::Ridge) {
      out[static_cast<size_t>(i)] = scores(0, i);
    } else if (scores.rows() == 1) {
      out[static_cast<size_t>(i)] = scores(0, i) > 0 ? 1.0 : 0.0;
    } else {
      Eigen::Index best = 0;
      scores.col(i).maxCoeff(&best);
      out[static_cast<size_t>(i)] = static_cast<double>(best);
    }
  }
  return out;
}

double probeScore(const LinearProbe& probe, const std::vector<double>& predictions, const std::vector<double>& labels) {
  const double n = static_cast<double>(labels.size());
  if (labels.empty()) return std::nan("");
  if (probe.kind == ProbeKind::Logistic) {
    double right = 0;
    for (size_t i = 0; i < labels.size(); ++i) right += predictions[i] == labels[i] ? 1 : 0;
    return right / n;
  }
  double mean = 0;
  for (const double y : labels) mean += y / n;
  double residual = 0, total = 0;
  for (size_t i = 0; i < labels.size(); ++i)
    residual += (labels[i] - predictions[i]) * (labels[i] - predictions[i]),
        total += (labels[i] - mean) * (labels[i] - mean);
  // scikit-learn's r2_score: 1 for a perfect fit of a constant, 0 for an imperfect one.
  if (total == 0) return residual == 0 ? 1.0 : 0.0;
  return 1 - residual / total;
}

}  // namespace lstmscope
