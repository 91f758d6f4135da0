// computeAttribution, what the app's attribution views run: every method asked for, in order, equal to
// the single-method functions; unit attributions; the all-targets matrix; progress and cancel.
#include "core/attribution/attribution_report.h"

#include <gtest/gtest.h>

#include "core/attribution/occlusion.h"
#include "core/common/error.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

// Equal up to summation order (the report attributes a forward model's prefix up to the target step).
void expectClose(const Mat<double>& actual, const Mat<double>& expected) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  EXPECT_LE((actual - expected).cwiseAbs().maxCoeff(), 1e-13 * (1 + expected.cwiseAbs().maxCoeff()));
}

TEST(AttributionReport, RunsEveryMethodAskedForAndTheMatrix) {
  const Network<double> net = smallCharModel(2, false, 5).cast<double>();
  Inputs<double> tokens;
  tokens.steps = 9;
  for (int t = 0; t < 9; ++t) tokens.tokens.push_back(t % 7);
  AttributionRequest request;
  request.target = defaultTarget(net, tokens, 6);
  request.methods.assign(std::begin(kAllAttributionMethods), std::end(kAllAttributionMethods));
  request.settings.steps = 9;
  request.allTargetsMatrix = true;
  std::vector<long> reports;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long done, long total) {
    reports.push_back(done);
    EXPECT_LE(done, total);
  };
  const AttributionReport r = computeAttribution(net, tokens, request, callbacks);
  ASSERT_EQ(r.methods.size(), 5u);
  const Network<double> v = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens), zero = baselineVectors(net, 9, std::nullopt);
  expectClose(r.methods[1].values.perToken, gradientTimesInput(v, x, request.target).perToken);
  expectClose(r.methods[2].values.perToken,
              integratedGradients(v, x, zero, request.target, QuadratureRule::Midpoint, 9).perToken);
  ASSERT_TRUE(r.methods[3].lrp.has_value());
  expectClose(r.methods[3].values.perToken, layerwiseRelevance(v, x, request.target).tokens.perToken);
  expectClose(r.methods[4].values.perToken, occlusion(v, x, zero, request.target).perToken);
  expectClose(r.gradientUnits.c[1][0], unitAttribution(v, x, request.target).c[1][0]);
  ASSERT_TRUE(r.matrix.has_value());
  EXPECT_LT((r.matrix->values.row(6).transpose() - r.methods[1].values.perToken).cwiseAbs().maxCoeff(), 1e-14);
  ASSERT_FALSE(reports.empty());
  // Passes over the text: saliency, gradient x input and LRP one each, IG one per point (9), occlusion half
  // a pass per window (7 steps: 3), the units two, the matrix at least four.
  EXPECT_EQ(reports.back(), 1 + 1 + 9 + 1 + 3 + 2 + 4);
  for (size_t k = 1; k < reports.size(); ++k) EXPECT_GT(reports[k], reports[k - 1]);

  // The target at step 6 of a forward model: tokens 7 and 8 are exactly zero (computed on the prefix).
  for (const MethodAttribution& m : r.methods) {
    EXPECT_EQ(m.values.perToken.size(), 9);
    EXPECT_EQ(m.values.perToken.tail(2).cwiseAbs().maxCoeff(), 0) << attributionMethodName(m.method);
  }
  EXPECT_EQ(r.gradientUnits.h[0][0].cols(), 9);
  EXPECT_EQ(r.methods[3].lrp->units.c[1][0].cols(), 9);
  expectClose(r.relevanceUnits.h[0][0], layerwiseRelevance(v, x, request.target).units.h[0][0]);

  callbacks.cancelled = [&] { return reports.size() >= 2; };
  reports.clear();
  EXPECT_THROW(computeAttribution(net, tokens, request, callbacks), Cancelled);
  EXPECT_EQ(reports.size(), 2u);
  AttributionMethod m;
  EXPECT_TRUE(parseAttributionMethod("lrp", m));
  EXPECT_EQ(m, AttributionMethod::Lrp);
  EXPECT_FALSE(parseAttributionMethod("deeplift", m));
}

}  // namespace
}  // namespace lstmscope::test
