// Occlusion in bounded memory: chunks of windows and blocks of steps give what one batch of every
// occluded input gives (the straightforward computation, kept here as the reference), on the PyTorch
// oracle with the smallest chunks, and targets late in a long text or early in a 100,000-step one run
// within a few hundred MB.
#include "core/attribution/occlusion.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "tests/attribution/attribution_case.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

// Occlusion as it was first written: every occluded input as one sequence of one batch over the whole
// text. Its memory grows with the square of the text's length.
TokenAttribution occlusionInOneBatch(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                                     const AttributionTarget& target, int window) {
  const long T = x.cols();
  const long w = std::clamp<long>(window, 1, T), positions = T - w + 1;
  const int B = static_cast<int>(positions);
  Inputs<double> in;
  in.steps = static_cast<int>(T), in.batch = B;
  in.features.resize(x.rows(), T * B);
  for (long t = 0; t < T; ++t)
    for (int p = 0; p < B; ++p) in.features.col(t * B + p) = t >= p && t < p + w ? baseline.col(t) : x.col(t);
  Tape<double> tape;
  forward(net, in, tape);
  TokenAttribution a;
  a.score = targetScore(net, x, target);
  a.baselineScore = targetScore(net, baseline, target);
  a.perToken = Vec<double>::Zero(T);
  Vec<double> covering = Vec<double>::Zero(T);
  for (int p = 0; p < B; ++p) {
    const double drop = a.score - targetValue(net, tape, target, B, p);
    for (long t = p; t < p + w; ++t) a.perToken(t) += drop, covering(t) += 1;
  }
  a.perToken = a.perToken.cwiseQuotient(covering);
  return a;
}

struct Subject {
  Network<double> vectors;
  Mat<double> x, baseline;
};

Subject subject(const Model& model, long steps, uint32_t seed) {
  const Network<double> net = model.cast<double>();
  Subject s{onInputVectors(net), {}, {}};
  Inputs<double> tokens;
  tokens.steps = static_cast<int>(steps);
  std::mt19937 rng(seed);
  for (long t = 0; t < steps; ++t) tokens.tokens.push_back(static_cast<int>(rng() % 7));
  s.x = inputVectors(net, tokens);
  s.baseline = baselineVectors(net, steps, 3);
  return s;
}

// Equal up to summation order: the chunks run other batch sizes and start from carried states.
void expectSame(const TokenAttribution& actual, const TokenAttribution& expected, const std::string& what) {
  ASSERT_EQ(actual.perToken.size(), expected.perToken.size()) << what;
  const double scale = 1 + expected.perToken.cwiseAbs().maxCoeff();
  EXPECT_LE((actual.perToken - expected.perToken).cwiseAbs().maxCoeff(), 1e-12 * scale) << what;
  EXPECT_NEAR(actual.score, expected.score, 1e-12 * (1 + std::abs(expected.score))) << what;
  EXPECT_NEAR(*actual.baselineScore, *expected.baselineScore, 1e-12 * (1 + std::abs(*expected.baselineScore))) << what;
}

// Budgets that make one window per chunk and one step per block, a few of each, and the default.
constexpr long kBudgets[] = {1, 40'000, kOcclusionMemoryBytes};

TEST(Occlusion, ChunkedEqualsOneBatchForEveryKindOfModelTargetAndWindow) {
  const Model forwardModel = smallCharModel(2, false, 3), bidirectional = smallCharModel(2, true, 4);
  for (const Model* model : {&forwardModel, &bidirectional}) {
    const Subject s = subject(*model, 45, 5);
    const AttributionTarget logitLate{44, 2}, logitMiddle{20, 5};
    const AttributionTarget cell = stateTarget(TargetKind::Cell, 1, 0, 2, 17);
    const AttributionTarget hidden = stateTarget(TargetKind::Hidden, 0, 0, 1, 0);
    for (const AttributionTarget& target : {logitLate, logitMiddle, cell, hidden})
      for (const int window : {1, 3, 50})
        for (const long budget : kBudgets)
          expectSame(occlusion(s.vectors, s.x, s.baseline, target, window, {}, budget),
                     occlusionInOneBatch(s.vectors, s.x, s.baseline, target, window),
                     std::string(model->arch.looksAhead() ? "bidirectional " : "forward ") +
                         describeTarget(s.vectors.arch, target) + " window " + std::to_string(window) + " budget " +
                         std::to_string(budget));
  }
  // A head reading the final states: the target reads every step.
  const Network<double> forecaster = smallFeatureModel(3, 2).cast<double>();
  const Mat<double> x = Mat<double>::Random(3, 30), zero = Mat<double>::Zero(3, 30);
  for (const long budget : kBudgets)
    expectSame(occlusion(forecaster, x, zero, {0, 0}, 2, {}, budget),
               occlusionInOneBatch(forecaster, x, zero, {0, 0}, 2), "final states, budget " + std::to_string(budget));
}

using OcclusionOracle = AttributionCase;

// The PyTorch reference (one sequence per window) with one window per chunk and one step per block.
TEST_P(OcclusionOracle, SmallestChunksAgreeWithPyTorch) {
  for (const char* baseline : {"zero", "token0"}) {
    const Mat<double> base =
        baselineVectors(net_, tokens_.steps, std::string(baseline) == "zero" ? std::nullopt : std::optional<int>(0));
    for (int w : {1, 3}) {
      const std::string path = std::string("attribution/occlusion/") + baseline + "/" + std::to_string(w);
      EXPECT_LT(relativeError(occlusion(vectors_, x_, base, target_, w, {}, 1).perToken, readVector(ref(), path)),
                kTolerance)
          << path;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, OcclusionOracle, kAttributionCases);
INSTANTIATE_TEST_SUITE_P(PoolingHeads, OcclusionOracle, kPoolingCases);

// The largest resident set this process has had, in bytes (Linux: VmHWM).
long peakResidentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  return -1;
}

// Occlusion's cost grows with the square of the target's step (a run per window), its memory must not: a
// target late in a 6,000-step text (one batch of every window would hold 6,000 x 6,000 tape columns, about
// 20 GB here), and one early in a 100,000-step text (whose windows after the target cost nothing).
TEST(Occlusion, ATargetLateInALongTextRunsInBoundedMemory) {
  const long before = peakResidentBytes();
  ASSERT_GT(before, 0) << "no VmHWM in /proc/self/status";
  constexpr long kSteps = 6'000;
  const Subject s = subject(smallCharModel(1, false, 9), kSteps, 11);
  long reports = 0, lastDone = 0;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long done, long total) {
    EXPECT_GT(done, lastDone);
    EXPECT_LE(done, total);
    lastDone = done, ++reports;
  };
  const TokenAttribution late = occlusion(s.vectors, s.x, s.baseline, {kSteps - 2, 1}, 1, callbacks);
  EXPECT_GT(reports, 10);
  ASSERT_EQ(late.perToken.size(), kSteps);
  EXPECT_EQ(late.perToken(kSteps - 1), 0);  // after the target: the model cannot see it
  EXPECT_TRUE(late.perToken.allFinite());
  EXPECT_NE(late.perToken.segment(kSteps - 40, 39).cwiseAbs().maxCoeff(), 0);

  constexpr long kLongSteps = 100'000;
  const Subject longText = subject(smallCharModel(1, false, 9), kLongSteps, 12);
  const TokenAttribution early = occlusion(longText.vectors, longText.x, longText.baseline, {300, 1}, 1);
  EXPECT_EQ(early.perToken.tail(kLongSteps - 301).cwiseAbs().maxCoeff(), 0);
  EXPECT_NE(early.perToken.head(301).cwiseAbs().maxCoeff(), 0);
  // Both hold a chunk's tapes within the 128 MB budget, plus the inputs; generous for allocator slack.
  EXPECT_LT(peakResidentBytes() - before, 500L << 20);
}

// Runs whose edits are long (an encoder–decoder's are every decoder step) are batched within the memory
// budget too: a budget that holds one edit at a time gives every run's score as the default one does, and
// progress counts the runs.
TEST(Occlusion, LongEditsWithinASmallBudgetGiveTheSameScores) {
  const Subject s = subject(smallCharModel(1, false, 9), 40, 13);
  const Mat<double> replacement = Mat<double>::Random(s.x.rows(), s.x.cols());
  const auto edit = [&](long k) { return ColumnPatch{k / 2, replacement.rightCols(s.x.cols() - k / 2)}; };
  const AttributionTarget target{39, 1};
  const double clean = targetScore(s.vectors, s.x, target);
  long lastDone = 0, lastTotal = 0;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long done, long total) {
    EXPECT_GT(done, lastDone);
    lastDone = done, lastTotal = total;
  };
  const Vec<double> small = scoresOfEditedRuns(s.vectors, s.x, target, clean, 60, edit, callbacks, 1);
  const Vec<double> whole = scoresOfEditedRuns(s.vectors, s.x, target, clean, 60, edit);
  EXPECT_EQ(lastDone, 60);
  EXPECT_EQ(lastTotal, 60);
  EXPECT_LE((small - whole).cwiseAbs().maxCoeff(), 1e-12);
  for (const long k : {0L, 33L, 59L}) {
    Mat<double> edited = s.x;
    edited.rightCols(s.x.cols() - k / 2) = replacement.rightCols(s.x.cols() - k / 2);
    EXPECT_NEAR(whole(k), targetScore(s.vectors, edited, target), 1e-12) << "run " << k;
  }
}

TEST(Occlusion, StopsBetweenChunksWhenCancelled) {
  const Subject s = subject(smallCharModel(1, false, 9), 3000, 11);
  long reports = 0;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long, long) { ++reports; };
  callbacks.cancelled = [&] { return reports >= 2; };
  EXPECT_THROW(occlusion(s.vectors, s.x, s.baseline, {2999, 1}, 1, callbacks), Cancelled);
  EXPECT_EQ(reports, 2);
}

}  // namespace
}  // namespace lstmscope::test
