// Gradient attribution against PyTorch autograd in float64 (tests/oracle/make_cases.py writes, for every
// token-input case with a head and at most 300 steps, a straightforward per-method reference): the
// default target, d score / d input, saliency, gradient x input, Integrated Gradients for every rule at
// two step counts and two baselines (with its convergence delta), and occlusion with windows 1 and 3.
#include "core/attribution/gradient_attribution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/attribution/occlusion.h"
#include "tests/attribution/attribution_case.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

using GradientAttribution = AttributionCase;

TEST_P(GradientAttribution, DefaultTargetFollowsTheContract) {
  const AttributionTarget t = defaultTarget(net_, tokens_, target_.step);
  EXPECT_EQ(t.step, target_.step);
  EXPECT_EQ(t.output, target_.output);
}

TEST_P(GradientAttribution, GradientSaliencyAndGradientTimesInput) {
  EXPECT_NEAR(targetScore(vectors_, x_, target_), readAttr(ref(), "attribution", "score"), 1e-10);
  EXPECT_LT(relativeError(scoreGradient(vectors_, x_, target_), readTransposed(ref(), "attribution/grad")), kTolerance);
  EXPECT_LT(relativeError(saliency(vectors_, x_, target_).perToken, readVector(ref(), "attribution/saliency")),
            kTolerance);
  const TokenAttribution gxi = gradientTimesInput(vectors_, x_, target_);
  EXPECT_LT(relativeError(gxi.perToken, readVector(ref(), "attribution/gradxinput")), kTolerance);
  EXPECT_LT((gxi.perDimension.colwise().sum().transpose() - gxi.perToken).cwiseAbs().maxCoeff(), 1e-12);
}

TEST_P(GradientAttribution, GradientTimesActivationOfEveryUnit) {
  const UnitAttribution units = unitAttribution(vectors_, x_, target_);
  ASSERT_EQ(units.h.size(), net_.arch.layers.size());
  for (size_t l = 0; l < units.h.size(); ++l)
    for (size_t d = 0; d < units.h[l].size(); ++d) {
      const std::string path = "attribution/units/" + std::to_string(l) + "/" +
                               directionName(net_.arch.layers[l], static_cast<int>(d)) + "/";
      EXPECT_LT(relativeError(units.h[l][d], readTransposed(ref(), path + "h")), kTolerance) << path;
      EXPECT_LT(relativeError(units.c[l][d], readTransposed(ref(), path + "c")), kTolerance) << path;
    }
}

TEST_P(GradientAttribution, CellUnitAsTarget) {
  const AttributionTarget cell = cellTarget();
  EXPECT_NEAR(targetScore(vectors_, x_, cell), readAttr(ref(), "attribution/cell_target", "score"), 1e-10);
  EXPECT_LT(relativeError(gradientTimesInput(vectors_, x_, cell).perToken,
                          readVector(ref(), "attribution/cell_target/gradxinput")),
            kTolerance);
  const Mat<double> zero = baselineVectors(net_, tokens_.steps, std::nullopt);
  EXPECT_LT(relativeError(integratedGradients(vectors_, x_, zero, cell, QuadratureRule::Midpoint, 16).perToken,
                          readVector(ref(), "attribution/cell_target/ig_zero_midpoint_16")),
            kTolerance);
  // Direction 0 of a reverse layer runs backward in time, and is named so.
  const std::string direction = net_.arch.layers[0].reverse ? "bwd" : "fwd";
  EXPECT_EQ(describeTarget(net_.arch, cell), "cell 0/" + direction + "/1 at step " + std::to_string(cell.step));
  AttributionTarget missing = cell;
  missing.unit = 1000;
  EXPECT_THROW(targetScore(vectors_, x_, missing), InputError);
}

TEST_P(GradientAttribution, IntegratedGradientsEveryRuleAndBaseline) {
  for (const char* baseline : {"zero", "token0"}) {
    const Mat<double> base =
        baselineVectors(net_, tokens_.steps, std::string(baseline) == "zero" ? std::nullopt : std::optional<int>(0));
    for (const char* rule : {"left", "right", "midpoint", "trapezoid", "gausslegendre"})
      for (int n : {7, 16}) {
        const std::string path = std::string("attribution/ig/") + baseline + "/" + rule + "_" + std::to_string(n);
        QuadratureRule r;
        ASSERT_TRUE(parseQuadratureRule(rule, r));
        const TokenAttribution ig = integratedGradients(vectors_, x_, base, target_, r, n);
        EXPECT_LT(relativeError(ig.perToken, readVector(ref(), path)), kTolerance) << path;
        ASSERT_TRUE(ig.convergenceDelta.has_value());
        EXPECT_NEAR(*ig.convergenceDelta, readAttr(ref(), path, "delta"), 1e-8 * (1 + std::abs(ig.score))) << path;
      }
  }
}

TEST_P(GradientAttribution, IntegratedGradientsInFloat32WithinTheIssuesTolerance) {
  const Mat<double> zero = baselineVectors(net_, tokens_.steps, std::nullopt);
  const TokenAttribution ig =
      integratedGradients(vectors_, x_, zero, target_, QuadratureRule::GaussLegendre, 16, Precision::Float32);
  // Float32 weights are exact; the path's activations and gradients are rounded to ~1e-7 relative.
  EXPECT_LT(relativeError(ig.perToken, readVector(ref(), "attribution/ig/zero/gausslegendre_16")), 1e-4);
  EXPECT_NEAR(ig.score, readAttr(ref(), "attribution", "score"), 1e-10);  // scores stay float64
}

TEST_P(GradientAttribution, OcclusionWindowsOneAndThree) {
  for (const char* baseline : {"zero", "token0"}) {
    const Mat<double> base =
        baselineVectors(net_, tokens_.steps, std::string(baseline) == "zero" ? std::nullopt : std::optional<int>(0));
    for (int w : {1, 3}) {
      const std::string path = std::string("attribution/occlusion/") + baseline + "/" + std::to_string(w);
      EXPECT_LT(relativeError(occlusion(vectors_, x_, base, target_, w).perToken, readVector(ref(), path)), kTolerance)
          << path;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GradientAttribution, kAttributionCases);
INSTANTIATE_TEST_SUITE_P(PoolingHeads, GradientAttribution, kPoolingCases);

// A forecaster's outputs are the forecasts, not logits of classes, and are named so wherever a target is
// described (here attribution; intervention_spec_test.cpp checks the interventions' wording).
TEST(TargetDescription, RegressionOutputsAreNotCalledLogits) {
  const Model forecaster = test::smallFeatureModel();
  EXPECT_EQ(describeTarget(forecaster.arch, AttributionTarget{4, 0}), "output 0 at step 4");
  Architecture classifier = forecaster.arch;
  classifier.task = Task::Classifier;
  EXPECT_EQ(describeTarget(classifier, AttributionTarget{4, 1}), "logit 1 at step 4");
}

TEST(Quadrature, WeightsSumToOneAndGaussLegendreIsExactToDegree2nMinus1) {
  for (const QuadratureRule r : {QuadratureRule::Left, QuadratureRule::Right, QuadratureRule::Midpoint,
                                 QuadratureRule::Trapezoid, QuadratureRule::GaussLegendre})
    for (int n : {1, 2, 5, 64}) {
      const Quadrature q = quadrature(r, n);
      EXPECT_NEAR(std::accumulate(q.weights.begin(), q.weights.end(), 0.0), 1.0, 1e-14) << quadratureRuleName(r) << n;
    }
  // Integral of a^9 over [0, 1] is 1/10: exact with 5 Gauss-Legendre nodes (degree 9 = 2*5 - 1).
  const Quadrature gl = quadrature(QuadratureRule::GaussLegendre, 5);
  double sum = 0;
  for (size_t k = 0; k < gl.alphas.size(); ++k) sum += gl.weights[k] * std::pow(gl.alphas[k], 9);
  EXPECT_NEAR(sum, 0.1, 1e-14);
  // Hand values: midpoint n = 2 -> alphas 1/4, 3/4; trapezoid n = 2 -> weights 1/4, 1/2, 1/4.
  EXPECT_EQ(quadrature(QuadratureRule::Midpoint, 2).alphas, (std::vector<double>{0.25, 0.75}));
  EXPECT_EQ(quadrature(QuadratureRule::Trapezoid, 2).weights, (std::vector<double>{0.25, 0.5, 0.25}));
  EXPECT_EQ(quadrature(QuadratureRule::Right, 4).alphas.back(), 1.0);
  EXPECT_THROW(quadrature(QuadratureRule::Left, 0), std::invalid_argument);
}

}  // namespace
}  // namespace lstmscope::test
