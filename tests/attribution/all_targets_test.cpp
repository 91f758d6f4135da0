// The all-targets matrix: every row equals the per-target gradient x input / saliency (which
// attribution_tests checks against PyTorch), for causal and bidirectional models, any target order and
// any chunking; the reference target's row also matches PyTorch directly.
#include "core/attribution/all_targets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/common/error.h"
#include "core/formats/native_model.h"
#include "tests/attribution/attribution_case.h"

namespace lstmscope::test {
namespace {

struct Loaded {
  Network<double> net, vectors;
  Inputs<double> inputs;
  Mat<double> x;
};

// Oracle case k with its stored input: tokens, or features for the feature-input cases.
Loaded load(int k) {
  const std::string dir = oracleDir() + "/case_" + std::to_string(k);
  const h5::File ref = h5::File::openReadOnly(dir + "/reference.h5");
  Loaded out;
  out.net = loadNativeModel(dir + "/model.h5").cast<double>();
  out.vectors = onInputVectors(out.net);
  out.inputs.steps = static_cast<int>(*h5::readIntAttr(ref.id(), "steps"));
  if (h5::exists(ref.id(), "tokens")) {
    out.inputs.tokens = h5::readInts(ref.id(), "tokens", "reference");
    out.x = inputVectors(out.net, out.inputs);
  } else {
    out.x = out.inputs.features = readTransposed(ref.id(), "features");
  }
  return out;
}

bool causal(const Architecture& arch) {
  return !arch.looksAhead();
}

class AllTargets : public testing::TestWithParam<int> {};

TEST_P(AllTargets, EveryRowEqualsItsOwnBackwardPass) {
  const Loaded c = load(GetParam());
  std::vector<AttributionTarget> targets = defaultTargetsOfEveryStep(c.net, c.inputs);
  ASSERT_EQ(static_cast<long>(targets.size()), c.x.cols());
  std::shuffle(targets.begin(), targets.end(), std::mt19937(7));  // any order; results follow the given rows
  for (const long chunk : {0L, 5L}) {
    const TargetMatrix gxi = allTargetsMatrix(c.vectors, c.x, targets, MatrixMethod::GradientTimesInput, {}, chunk);
    const TargetMatrix sal = allTargetsMatrix(c.vectors, c.x, targets, MatrixMethod::Saliency, {}, chunk);
    // Every row of short texts, about a dozen spread over longer ones (each costs two backward passes).
    const size_t stride = std::max<size_t>(1, targets.size() / 12);
    for (size_t r = 0; r < targets.size(); r += stride) {
      const long row = static_cast<long>(r);
      const Vec<double> expected = gradientTimesInput(c.vectors, c.x, targets[r]).perToken;
      EXPECT_LT(relativeError(gxi.values.row(row).transpose(), expected), 1e-11)
          << describeTarget(c.vectors.arch, targets[r]);
      EXPECT_LT(relativeError(sal.values.row(row).transpose(), saliency(c.vectors, c.x, targets[r]).perToken), 1e-11);
      if (causal(c.net.arch) && targets[r].step + 1 < c.x.cols()) {  // nothing after the target's step counts
        EXPECT_EQ(gxi.values.row(row).tail(c.x.cols() - targets[r].step - 1).cwiseAbs().maxCoeff(), 0);
      }
    }
  }
}

// Each-step heads: one-hot and embedding language models (1 and 2 layers, a single step, both hard
// sigmoids, 131 units split across cores), bidirectional feature models (3 layers; ReLU cells), peepholes,
// clips and coupled gates, and a reverse layer under a forward one (no row is causal then).
INSTANTIATE_TEST_SUITE_P(Cases, AllTargets, testing::Values(0, 1, 3, 5, 8, 10, 12, 13, 14, 15, 16));

TEST(AllTargetsMatrix, TheReferenceTargetsRowMatchesPyTorch) {
  for (const int k : {0, 5, 10}) {
    const std::string dir = oracleDir() + "/case_" + std::to_string(k);
    const h5::File ref = h5::File::openReadOnly(dir + "/reference.h5");
    const Loaded c = load(k);
    const long step = static_cast<long>(readAttr(ref.id(), "attribution", "target_step"));
    const TargetMatrix m =
        allTargetsMatrix(c.vectors, c.x, defaultTargetsOfEveryStep(c.net, c.inputs), MatrixMethod::GradientTimesInput);
    EXPECT_EQ(m.targets[static_cast<size_t>(step)].output,
              static_cast<int>(readAttr(ref.id(), "attribution", "target_output")));
    EXPECT_LT(relativeError(m.values.row(step).transpose(), readVector(ref.id(), "attribution/gradxinput")), kTolerance)
        << "case " << k;
  }
}

TEST(AllTargetsMatrix, RefusesWhatItCannotDoAndStopsWhenCancelled) {
  const Loaded classifier = load(2);  // reads the final states: one prediction per text
  try {
    defaultTargetsOfEveryStep(classifier.net, classifier.inputs);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("predicts once per text"), std::string::npos) << e.what();
  }
  const Loaded lm = load(0);
  std::vector<AttributionTarget> targets = defaultTargetsOfEveryStep(lm.net, lm.inputs);
  EXPECT_THROW(allTargetsMatrix(lm.vectors, lm.x, {stateTarget(TargetKind::Cell, 0, 0, 0, 0)}, MatrixMethod::Saliency),
               InputError);
  ProgressCallbacks stop;
  long reports = 0;
  stop.progress = [&](long, long) { ++reports; };
  stop.cancelled = [&] { return reports >= 1; };
  EXPECT_THROW(allTargetsMatrix(lm.vectors, lm.x, targets, MatrixMethod::Saliency, stop, 4), Cancelled);
  EXPECT_EQ(reports, 1);
}

}  // namespace
}  // namespace lstmscope::test
