#include "core/model/step_activations.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lstmscope {

namespace {

constexpr double kSeluScale = 1.0507009873554805, kSeluAlpha = 1.6732632423543772;

double sigmoid(double x) {
  return 1 / (1 + std::exp(-x));
}

// hard_sigmoid's line before the clip: Keras 2's 0.2x + 0.5, Keras 3's x/6 + 0.5.
double hardSigmoidSlope(bool keras3) {
  return keras3 ? 1.0 / 6 : 0.2;
}

}  // namespace

StepActivationFunction stepActivation(const std::string& a) {
  if (a == "relu") return [](double x, bool) { return x > 0 ? x : 0.0; };
  if (a == "tanh") return [](double x, bool) { return std::tanh(x); };
  if (a == "sigmoid") return [](double x, bool) { return sigmoid(x); };
  if (a == "hard_sigmoid")
    return [](double x, bool keras3) { return std::clamp(hardSigmoidSlope(keras3) * x + 0.5, 0.0, 1.0); };
  if (a == "elu") return [](double x, bool) { return x > 0 ? x : std::expm1(x); };
  if (a == "selu") return [](double x, bool) { return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x)); };
  if (a == "softplus") return [](double x, bool) { return x > 30 ? x : std::log1p(std::exp(x)); };
  if (a == "softsign") return [](double x, bool) { return x / (1 + std::abs(x)); };
  if (a == "swish" || a == "silu") return [](double x, bool) { return x * sigmoid(x); };
  // Keras' default gelu is exact, not the tanh approximation.
  if (a == "gelu") return [](double x, bool) { return 0.5 * x * (1 + std::erf(x / std::numbers::sqrt2)); };
  if (a == "exponential") return [](double x, bool) { return std::exp(x); };
  return nullptr;  // linear (softmax is over a step, not element-wise)
}

StepActivationFunction stepActivationDerivative(const std::string& a) {
  if (a == "relu") return [](double x, bool) { return x > 0 ? 1.0 : 0.0; };
  if (a == "tanh") return [](double x, bool) { return 1 - std::tanh(x) * std::tanh(x); };
  if (a == "sigmoid") return [](double x, bool) { return sigmoid(x) * (1 - sigmoid(x)); };
  if (a == "hard_sigmoid")
    return [](double x, bool keras3) {
      const double line = hardSigmoidSlope(keras3) * x + 0.5;
      return line > 0 && line < 1 ? hardSigmoidSlope(keras3) : 0.0;
    };
  if (a == "elu") return [](double x, bool) { return x > 0 ? 1.0 : std::exp(x); };
  if (a == "selu") return [](double x, bool) { return kSeluScale * (x > 0 ? 1.0 : kSeluAlpha * std::exp(x)); };
  if (a == "softplus") return [](double x, bool) { return sigmoid(x); };
  if (a == "softsign") return [](double x, bool) { return 1 / ((1 + std::abs(x)) * (1 + std::abs(x))); };
  if (a == "swish" || a == "silu") return [](double x, bool) { return sigmoid(x) * (1 + x * (1 - sigmoid(x))); };
  if (a == "gelu")
    return [](double x, bool) {
      const double density = std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
      return 0.5 * (1 + std::erf(x / std::numbers::sqrt2)) + x * density;
    };
  if (a == "exponential") return [](double x, bool) { return std::exp(x); };
  return nullptr;
}

void activateInPlace(const std::string& a, int generation, Eigen::MatrixXd& x) {
  if (a == "softmax") {  // over each step's features
    for (long j = 0; j < x.cols(); ++j) {
      auto col = x.col(j);
      col = (col.array() - col.maxCoeff()).exp();
      col /= col.sum();
    }
    return;
  }
  if (a == "relu") {
    x = x.cwiseMax(0.0);
    return;
  }
  const StepActivationFunction f = stepActivation(a);
  if (!f) return;
  const bool keras3 = generation >= 3;
  double* v = x.data();
  const long n = x.size();
#pragma omp parallel for schedule(static) if (n > (1L << 16))
  for (long k = 0; k < n; ++k) v[k] = f(v[k], keras3);
}

}  // namespace lstmscope
