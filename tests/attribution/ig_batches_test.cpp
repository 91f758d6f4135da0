// Integrated Gradients in batches of points: progress after every batch, cancellation between batches,
// the same result whatever the batch size, and the float32 path (the app's default) close to float64 on
// the demo model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "core/attribution/attribution_report.h"
#include "core/common/error.h"
#include "core/formats/model_loader.h"
#include "core/formats/sequence_input.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

struct Subject {
  Network<double> net, vectors;
  Inputs<double> tokens;
  Mat<double> x, zero;
  AttributionTarget target;
};

Subject subject(long steps) {
  Subject s;
  s.net = smallCharModel(2, false, 5).cast<double>();
  s.vectors = onInputVectors(s.net);
  s.tokens.steps = static_cast<int>(steps);
  for (long t = 0; t < steps; ++t) s.tokens.tokens.push_back(static_cast<int>((t * 5 + t / 3) % 7));
  s.x = inputVectors(s.net, s.tokens);
  s.zero = baselineVectors(s.net, steps, std::nullopt);
  s.target = defaultTarget(s.net, s.tokens, steps - 2);
  return s;
}

TEST(IntegratedGradientsBatches, ProgressArrivesAfterEveryBatchAndIncreases) {
  const Subject s = subject(40);
  std::vector<long> done;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long d, long total) {
    EXPECT_EQ(total, 64);
    done.push_back(d);
  };
  integratedGradients(s.vectors, s.x, s.zero, s.target, QuadratureRule::Midpoint, 64, Precision::Float64, callbacks);
  ASSERT_GE(done.size(), static_cast<size_t>(kIgMinBatches));
  for (size_t k = 1; k < done.size(); ++k) EXPECT_GT(done[k], done[k - 1]);
  EXPECT_EQ(done.back(), 64);

  // Through computeAttribution (what the app runs): several reports during IG, increasing, ending at the total.
  AttributionRequest request;
  request.target = s.target;
  request.methods = {AttributionMethod::IntegratedGradients};
  request.settings.precision = Precision::Float32;
  std::vector<std::pair<long, long>> reports;
  callbacks.progress = [&](long d, long total) { reports.emplace_back(d, total); };
  computeAttribution(s.net, s.tokens, request, callbacks);
  ASSERT_GE(reports.size(), static_cast<size_t>(kIgMinBatches) + 2);  // IG's batches, then the unit passes
  for (size_t k = 1; k < reports.size(); ++k) EXPECT_GT(reports[k].first, reports[k - 1].first);
  EXPECT_EQ(reports.back().first, reports.back().second);
  EXPECT_LT(reports.front().first, reports.front().second / 2);  // the first report comes early in the work
}

TEST(IntegratedGradientsBatches, CancellationStopsBetweenBatchesBeforeTheEnd) {
  const Subject s = subject(40);
  long reports = 0;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long, long) { ++reports; };
  callbacks.cancelled = [&] { return reports >= 1; };
  EXPECT_THROW(integratedGradients(s.vectors, s.x, s.zero, s.target, QuadratureRule::Midpoint, 64, Precision::Float64,
                                   callbacks),
               Cancelled);
  EXPECT_EQ(reports, 1);  // one batch ran, then the check between batches stopped it

  AttributionRequest request;
  request.target = s.target;
  request.methods = {AttributionMethod::IntegratedGradients};
  reports = 0;
  EXPECT_THROW(computeAttribution(s.net, s.tokens, request, callbacks), Cancelled);
  EXPECT_EQ(reports, 1);
}

TEST(IntegratedGradientsBatches, BatchSizeChangesOnlyRounding) {
  const Subject s = subject(60);
  for (const QuadratureRule rule : kQuadratureRules) {
    const TokenAttribution onePerBatch =
        integratedGradients(s.vectors, s.x, s.zero, s.target, rule, 16, Precision::Float64, {}, 1);
    const TokenAttribution byDefault = integratedGradients(s.vectors, s.x, s.zero, s.target, rule, 16);
    EXPECT_LE((onePerBatch.perToken - byDefault.perToken).cwiseAbs().maxCoeff(),
              1e-13 * (1 + byDefault.perToken.cwiseAbs().maxCoeff()))
        << quadratureRuleName(rule);
    EXPECT_NEAR(*onePerBatch.convergenceDelta, *byDefault.convergenceDelta, 1e-12);
  }
  EXPECT_EQ(igPointsPerBatch(s.vectors, s.x, 64, Precision::Float64, 1), 1);
  EXPECT_EQ(igPointsPerBatch(s.vectors, s.x, 64, Precision::Float64), 64 / kIgMinBatches);
  EXPECT_EQ(igPointsPerBatch(s.vectors, s.x, 2, Precision::Float64), 1);
}

// The app runs IG's path in float32. On the demo model (64 midpoint points at step 60 of the demo text)
// it gives the float64 attributions within 1e-4 of the largest |attribution| (float32 rounds the path's
// activations and gradients to ~1e-7 relative, and the recurrence amplifies that), the same scores
// (float64 either way) and so a delta within the same rounding.
TEST(IntegratedGradientsBatches, Float32PathAgreesWithFloat64OnTheDemo) {
  const std::string dir = std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/demo/";
  const Model model = loadModel(dir + "python_char.h5");
  const EncodedText text = encodeText(model.arch, readFileBytes(dir + "sample.py", 1 << 20), "sample.py", 1 << 20);
  constexpr long kStep = 60;  // long enough for the paths to differ, short enough for the ASan suite
  Inputs<double> tokens;
  tokens.steps = kStep + 2;
  tokens.tokens.assign(text.inputs.tokens.begin(), text.inputs.tokens.begin() + tokens.steps);
  const Network<double> net = model.cast<double>(), vectors = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens).leftCols(kStep + 1), zero = Mat<double>::Zero(x.rows(), x.cols());
  const AttributionTarget target = defaultTarget(net, tokens, kStep);
  const TokenAttribution f64 = integratedGradients(vectors, x, zero, target, QuadratureRule::Midpoint, 64);
  const TokenAttribution f32 =
      integratedGradients(vectors, x, zero, target, QuadratureRule::Midpoint, 64, Precision::Float32);
  const double largest = f64.perToken.cwiseAbs().maxCoeff(),
               error = (f32.perToken - f64.perToken).cwiseAbs().maxCoeff();
  EXPECT_LT(error, 1e-4 * largest);
  EXPECT_EQ(f32.score, f64.score);
  EXPECT_EQ(*f32.baselineScore, *f64.baselineScore);
  EXPECT_LT(std::abs(*f32.convergenceDelta - *f64.convergenceDelta), 1e-4 * largest * std::sqrt(kStep + 1.0));
  std::printf("float32 path: largest per-token difference %.3g of the largest attribution %.3g; delta %.6g vs %.6g\n",
              error, largest, *f32.convergenceDelta, *f64.convergenceDelta);
}

}  // namespace
}  // namespace lstmscope::test
