// Quadrature rules for Integrated Gradients' path integral over alpha in [0, 1] (ATTRIBUTION.md).
#pragma once

#include <string>
#include <vector>

namespace lstmscope {

enum class QuadratureRule { Left, Right, Midpoint, Trapezoid, GaussLegendre };
constexpr QuadratureRule kDefaultQuadratureRule = QuadratureRule::Midpoint;
// Every rule, in the order offered to a user: the default first, then the one that converges fastest on
// smooth models, then the rest.
constexpr QuadratureRule kQuadratureRules[] = {QuadratureRule::Midpoint, QuadratureRule::GaussLegendre,
                                               QuadratureRule::Trapezoid, QuadratureRule::Left, QuadratureRule::Right};
// "left", "right", "midpoint", "trapezoid", "gausslegendre": the names the CLI and the app accept.
const char* quadratureRuleName(QuadratureRule rule);
bool parseQuadratureRule(const std::string& name, QuadratureRule& out);

struct Quadrature {
  std::vector<double> alphas, weights;  // weights sum to 1
};

// n intervals (n + 1 points for the trapezoid rule, n nodes otherwise); n >= 1. Left alpha_k = k/n,
// right (k+1)/n, midpoint (k+1/2)/n with weights 1/n; trapezoid k/n for k = 0..n with the end weights
// halved; Gauss-Legendre nodes and weights mapped from [-1, 1] to [0, 1] (exact for polynomials of
// degree 2n - 1).
Quadrature quadrature(QuadratureRule rule, int n);

}  // namespace lstmscope
