#include "core/engine/head_pooling.h"

#include <cmath>

namespace lstmscope {

template <class T>
const Mat<T>& headStepInput(const Architecture& arch, const std::vector<Mat<T>>& layerInputs, Mat<T>& scratch) {
  const std::vector<int> sources = arch.headSources();
  if (sources.size() == 1) return layerInputs[static_cast<size_t>(sources[0])];
  long rows = 0;
  for (int s : sources) rows += layerInputs[static_cast<size_t>(s)].rows();
  scratch.resize(rows, layerInputs[static_cast<size_t>(sources[0])].cols());
  long row = 0;
  for (int s : sources) {
    const Mat<T>& m = layerInputs[static_cast<size_t>(s)];
    scratch.middleRows(row, m.rows()) = m;
    row += m.rows();
  }
  return scratch;
}

namespace {

// Attention: s_t = w·x_t, a_t = exp(s_t - max s) / (sum_t exp(s_t - max s) + epsilon), pooled = sum_t a_t x_t.
template <class T>
void attentionPool(const HeadSpec& spec, const Vec<T>& w, const Mat<T>& X, int steps, int B, Mat<T>& pooled,
                   Mat<T>& weights) {
  weights.resize(1, X.cols());
  weights.noalias() = w.transpose() * X;
  for (int b = 0; b < B; ++b) {
    T top = weights(0, b);
    for (int t = 1; t < steps; ++t) top = std::max(top, weights(0, static_cast<long>(t) * B + b));
    T sum = 0;
    for (int t = 0; t < steps; ++t) {
      T& u = weights(0, static_cast<long>(t) * B + b);
      u = std::exp(u - top);
      sum += u;
    }
    const T denominator = sum + static_cast<T>(spec.attentionEpsilon);
    pooled.col(b).setZero();
    for (int t = 0; t < steps; ++t) {
      const long col = static_cast<long>(t) * B + b;
      weights(0, col) /= denominator;
      pooled.col(b) += weights(0, col) * X.col(col);
    }
  }
}

// The first step at which row d of sequence b is largest.
template <class T>
long argmaxStep(const Mat<T>& X, long d, int b, int steps, int B) {
  long best = b;
  for (int t = 1; t < steps; ++t)
    if (X(d, static_cast<long>(t) * B + b) > X(d, best)) best = static_cast<long>(t) * B + b;
  return best;
}

}  // namespace

template <class T>
void poolSteps(const HeadSpec& spec, const Vec<T>& attention, const Mat<T>& X, int steps, int B, Mat<T>& pooled,
               Mat<T>& weights) {
  pooled.resize(X.rows(), B);
  weights.resize(0, 0);
  switch (spec.reads) {
    case HeadReads::AttentionPool:
      return attentionPool(spec, attention, X, steps, B, pooled, weights);
    case HeadReads::AveragePool:
      pooled.setZero();
      for (int t = 0; t < steps; ++t) pooled += X.middleCols(static_cast<long>(t) * B, B);
      pooled /= static_cast<T>(steps);
      return;
    case HeadReads::MaxPool:
      for (int b = 0; b < B; ++b)
        for (long d = 0; d < X.rows(); ++d) pooled(d, b) = X(d, argmaxStep(X, d, b, steps, B));
      return;
    case HeadReads::Flatten:  // step t's D values at rows t·D … (Keras' Flatten of (T, D), row-major)
      pooled.resize(X.rows() * steps, B);
      for (int t = 0; t < steps; ++t)
        pooled.middleRows(t * X.rows(), X.rows()) = X.middleCols(static_cast<long>(t) * B, B);
      return;
    default:
      throw std::invalid_argument("poolSteps: the head does not pool");
  }
}

template <class T>
Mat<T> poolStepsBackward(const HeadSpec& spec, const Vec<T>& attention, const Mat<T>& X, const Mat<T>& weights,
                         const Mat<T>& dPooled, int steps, int B, Vec<T>* dAttention) {
  Mat<T> dX = Mat<T>::Zero(X.rows(), X.cols());
  switch (spec.reads) {
    case HeadReads::AveragePool:
      for (int t = 0; t < steps; ++t) dX.middleCols(static_cast<long>(t) * B, B) = dPooled / static_cast<T>(steps);
      break;
    case HeadReads::MaxPool:
      for (int b = 0; b < B; ++b)
        for (long d = 0; d < X.rows(); ++d) dX(d, argmaxStep(X, d, b, steps, B)) = dPooled(d, b);
      break;
    case HeadReads::Flatten:
      for (int t = 0; t < steps; ++t)
        dX.middleCols(static_cast<long>(t) * B, B) = dPooled.middleRows(t * X.rows(), X.rows());
      break;
    case HeadReads::AttentionPool: {
      // With q_t = g·x_t and q̄ = sum_t a_t q_t: d/ds_t = a_t (q_t - q̄), and the shift by max s (which
      // cancels only without epsilon) adds -q̄ (1 - sum_t a_t) at the step that is largest.
      const Mat<T> scores = attention.transpose() * X;  // s_t, to find each sequence's largest
      Vec<T> ds(X.cols());
      for (int b = 0; b < B; ++b) {
        T qBar = 0, weightSum = 0;
        long top = b;
        for (int t = 0; t < steps; ++t) {
          const long col = static_cast<long>(t) * B + b;
          ds(col) = dPooled.col(b).dot(X.col(col));
          qBar += weights(0, col) * ds(col);
          weightSum += weights(0, col);
          if (scores(0, col) > scores(0, top)) top = col;
        }
        for (int t = 0; t < steps; ++t) {
          const long col = static_cast<long>(t) * B + b;
          ds(col) = weights(0, col) * (ds(col) - qBar);
          dX.col(col) = weights(0, col) * dPooled.col(b);
        }
        ds(top) -= qBar * (T(1) - weightSum);
      }
      dX.noalias() += attention * ds.transpose();
      if (dAttention) *dAttention += X * ds;
      break;
    }
    default:
      throw std::invalid_argument("poolStepsBackward: the head does not pool");
  }
  return dX;
}

template const Mat<float>& headStepInput<float>(const Architecture&, const std::vector<Mat<float>>&, Mat<float>&);
template const Mat<double>& headStepInput<double>(const Architecture&, const std::vector<Mat<double>>&, Mat<double>&);
template void poolSteps<float>(const HeadSpec&, const Vec<float>&, const Mat<float>&, int, int, Mat<float>&,
                               Mat<float>&);
template void poolSteps<double>(const HeadSpec&, const Vec<double>&, const Mat<double>&, int, int, Mat<double>&,
                                Mat<double>&);
template Mat<float> poolStepsBackward<float>(const HeadSpec&, const Vec<float>&, const Mat<float>&, const Mat<float>&,
                                             const Mat<float>&, int, int, Vec<float>*);
template Mat<double> poolStepsBackward<double>(const HeadSpec&, const Vec<double>&, const Mat<double>&,
                                               const Mat<double>&, const Mat<double>&, int, int, Vec<double>*);

}  // namespace lstmscope
