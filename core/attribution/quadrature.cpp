#include "core/attribution/quadrature.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace lstmscope {
namespace {

// Gauss-Legendre nodes on [-1, 1]: Newton's method on P_n from Chebyshev-like starting points, P_n and
// its derivative by the three-term recurrence.
Quadrature gaussLegendre(int n) {
  Quadrature q;
  q.alphas.resize(n), q.weights.resize(n);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double x = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5)), derivative = 0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1, p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1, p1 = p2;
      }
      const double pn = n == 1 ? x : p1, pn1 = n == 1 ? 1 : p0;
      derivative = n * (x * pn - pn1) / (x * x - 1);
      const double step = pn / derivative;
      x -= step;
      if (std::abs(step) < 1e-16) break;
    }
    const double w = 2 / ((1 - x * x) * derivative * derivative);
    // Map to [0, 1]: alpha = (1 + x) / 2, weight halved. Nodes come in symmetric pairs.
    q.alphas[i] = 0.5 * (1 - x), q.alphas[n - 1 - i] = 0.5 * (1 + x);
    q.weights[i] = q.weights[n - 1 - i] = 0.5 * w;
  }
  return q;
}

}  // namespace

bool parseQuadratureRule(const std::string& name, QuadratureRule& out) {
  for (const QuadratureRule r : kQuadratureRules)
    if (name == quadratureRuleName(r)) return out = r, true;
  return false;
}

const char* quadratureRuleName(QuadratureRule rule) {
  switch (rule) {
    case QuadratureRule::Left:
      return "left";
    case QuadratureRule::Right:
      return "right";
    case QuadratureRule::Midpoint:
      return "midpoint";
    case QuadratureRule::Trapezoid:
      return "trapezoid";
    case QuadratureRule::GaussLegendre:
      return "gausslegendre";
  }
  return "?";
}

Quadrature quadrature(QuadratureRule rule, int n) {
  if (n < 1) throw std::invalid_argument("a quadrature needs at least one interval");
  if (rule == QuadratureRule::GaussLegendre) return gaussLegendre(n);
  Quadrature q;
  if (rule == QuadratureRule::Trapezoid) {
    for (int k = 0; k <= n; ++k) {
      q.alphas.push_back(static_cast<double>(k) / n);
      q.weights.push_back((k == 0 || k == n ? 0.5 : 1.0) / n);
    }
    return q;
  }
  const double offset = rule == QuadratureRule::Left ? 0 : rule == QuadratureRule::Right ? 1 : 0.5;
  for (int k = 0; k < n; ++k) {
    q.alphas.push_back((k + offset) / n);
    q.weights.push_back(1.0 / n);
  }
  return q;
}

}  // namespace lstmscope
