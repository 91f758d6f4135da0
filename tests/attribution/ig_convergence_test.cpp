// Integrated Gradients' convergence delta (ATTRIBUTION.md): on a smooth model it shrinks as the step count
// grows, fast for Gauss-Legendre and as O(1/n^2) for the midpoint rule; on a chaotic (saturating, large
// weight) model it stays large at moderate step counts and is reported, not hidden.
#include <gtest/gtest.h>

#include <cmath>

#include "core/attribution/gradient_attribution.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

struct ScaledModel {
  Network<double> net, vectors;
  Mat<double> x, zero;
  AttributionTarget target;
};

ScaledModel scaledModel(double weightScale, int steps) {
  ScaledModel s;
  Model m = smallCharModel(2, false, 11);
  m.params.forEachTensor([&](auto& w) { w *= static_cast<float>(weightScale); });
  s.net = m.cast<double>();
  s.vectors = onInputVectors(s.net);
  Inputs<double> tokens;
  tokens.steps = steps;
  for (int t = 0; t < steps; ++t) tokens.tokens.push_back((t * 5 + t / 3) % 7);
  s.x = inputVectors(s.net, tokens);
  s.zero = baselineVectors(s.net, steps, std::nullopt);
  s.target = defaultTarget(s.net, tokens);
  return s;
}

double absDelta(const ScaledModel& s, QuadratureRule rule, int n) {
  return std::abs(*integratedGradients(s.vectors, s.x, s.zero, s.target, rule, n).convergenceDelta);
}

TEST(IntegratedGradientsDelta, ShrinksWithStepsOnASmoothModel) {
  const ScaledModel s = scaledModel(1.5, 12);
  const double change = std::abs(targetScore(s.vectors, s.x, s.target) - targetScore(s.vectors, s.zero, s.target));
  ASSERT_GT(change, 1e-3);
  double previous = INFINITY;
  for (const int n : {4, 8, 16, 32, 64}) {  // midpoint: error ~ 1/n^2, so each doubling cuts it ~4x
    const double d = absDelta(s, QuadratureRule::Midpoint, n);
    EXPECT_LT(d, previous / 3) << "midpoint n=" << n;
    previous = d;
  }
  EXPECT_LT(previous, 1e-4 * change);
  EXPECT_LT(absDelta(s, QuadratureRule::GaussLegendre, 8), 1e-7 * change);  // far below midpoint at 64
  EXPECT_LT(absDelta(s, QuadratureRule::GaussLegendre, 8), absDelta(s, QuadratureRule::GaussLegendre, 2));
}

TEST(IntegratedGradientsDelta, IsReportedLargeOnAChaoticModel) {
  const ScaledModel s = scaledModel(12, 60);
  const TokenAttribution ig = integratedGradients(s.vectors, s.x, s.zero, s.target, QuadratureRule::Midpoint, 8);
  ASSERT_TRUE(ig.convergenceDelta.has_value());
  ASSERT_TRUE(ig.baselineScore.has_value());
  const double change = std::abs(ig.score - *ig.baselineScore);
  // The identity delta = sum - (F(x) - F(x')) holds exactly, whatever the quadrature error.
  EXPECT_NEAR(*ig.convergenceDelta, ig.perToken.sum() - (ig.score - *ig.baselineScore), 1e-12 * (1 + change));
  EXPECT_GT(std::abs(*ig.convergenceDelta), 0.05 * change) << "not chaotic enough to need the warning";
}

}  // namespace
}  // namespace lstmscope::test
