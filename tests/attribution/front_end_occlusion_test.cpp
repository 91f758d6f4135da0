// Occlusion through a front end (front_end_attribution.h) against its definition computed the slow way: every
// window of rows replaced by the baseline, the whole front end and the whole model run again, the drops
// averaged over the windows covering each row. On 300 rows (more windows than one batch holds), for a head
// reading the final state, a state unit at an early step (only the windows it reads are run), and a
// bidirectional model (every window runs the whole sequence).
#include <gtest/gtest.h>

#include "core/attribution/front_end_attribution.h"
#include "core/training/init.h"
#include "tests/model/random_step_layers.h"

namespace lstmscope {
namespace {

// An LSTM(5) over 4 features with a linear head reading `reads`, seeded; its front end is the caller's.
Model lstmOverFourFeatures(bool bidirectional, HeadReads reads, uint64_t seed) {
  Architecture a;
  a.name = "front-end model";
  a.task = Task::Regression;
  a.inputKind = InputKind::Features;
  a.featureDim = 4;
  a.layers.push_back({5, bidirectional, GateActivation::Sigmoid, CellActivation::Tanh});
  a.head = HeadSpec{{}, HeadActivation::Linear, reads, {}, {}, 0};
  return initialiseModel(a, {0, {}, 1}, seed);
}

// Three raw features per row → Conv1D(4, kernel 3, same, relu) → MaxPooling1D(2, same) → LSTM(5) → a linear
// head on the final states.
Network<double> convForecaster(bool bidirectional) {
  Model model = lstmOverFourFeatures(bidirectional, HeadReads::FinalStates, 17);
  StepLayer conv;
  conv.name = "conv1d", conv.className = "Conv1D", conv.kind = StepLayer::Kind::Conv;
  conv.window = 3, conv.padding = StepLayer::Padding::Same, conv.activation = "relu";
  conv.weight = Eigen::MatrixXd::Random(4, 3 * 3);
  conv.bias = Eigen::VectorXd::Random(4);
  StepLayer pool;
  pool.name = "max_pooling1d", pool.className = "MaxPooling1D", pool.kind = StepLayer::Kind::MaxPool;
  pool.window = 2, pool.stride = 2, pool.padding = StepLayer::Padding::Same;
  model.arch.frontEnd = {conv, pool};
  return onInputVectors(model.cast<double>());
}

// Every window run whole, one at a time.
Vec<double> occlusionTheSlowWay(const Network<double>& net, const Mat<double>& raw, const AttributionTarget& target,
                                long window) {
  const auto score = [&](const Mat<double>& rows) { return targetScore(net, applyFrontEnd(net.arch, rows), target); };
  const double clean = score(raw);
  const long rows = raw.cols();
  Vec<double> sum = Vec<double>::Zero(rows), covering = Vec<double>::Zero(rows);
  for (long start = 0; start + window <= rows; ++start) {
    Mat<double> occluded = raw;
    occluded.middleCols(start, window).setZero();
    sum.segment(start, window).array() += clean - score(occluded);
    covering.segment(start, window).array() += 1;
  }
  return sum.cwiseQuotient(covering);
}

void expectSlowWay(const Network<double>& net, const AttributionTarget& target, const std::string& what) {
  const Mat<double> raw = Mat<double>::Random(3, 300);
  for (const int window : {1, 3}) {
    AttributionSettings settings;
    settings.window = window;
    const TokenAttribution fast = attributeThroughFrontEnd(AttributionMethod::Occlusion, net, raw, target, settings);
    const Vec<double> slow = occlusionTheSlowWay(net, raw, target, window);
    ASSERT_EQ(fast.perToken.size(), slow.size()) << what;
    EXPECT_LE((fast.perToken - slow).cwiseAbs().maxCoeff(), 1e-12 * (1 + slow.cwiseAbs().maxCoeff()))
        << what << ", window " << window;
    EXPECT_GT(slow.cwiseAbs().maxCoeff(), 1e-6) << what << ": the rows must matter for the test to mean anything";
  }
}

TEST(FrontEndOcclusion, HeadOnTheFinalStateEqualsEveryWindowRunWhole) {
  expectSlowWay(convForecaster(false), {149, 0}, "final-state head");
}

TEST(FrontEndOcclusion, StateUnitAtAnEarlyStepEqualsEveryWindowRunWhole) {
  const Network<double> net = convForecaster(false);
  const AttributionTarget cell = stateTarget(TargetKind::Cell, 0, 0, 2, 40);
  expectSlowWay(net, cell, "cell unit at step 40");
  // Rows after the last one step 40 reads (rows 79–82 by the same-padded window) drop nothing.
  AttributionSettings settings;
  const TokenAttribution a =
      attributeThroughFrontEnd(AttributionMethod::Occlusion, net, Mat<double>::Random(3, 300), cell, settings);
  EXPECT_EQ(a.perToken.tail(300 - 83).cwiseAbs().maxCoeff(), 0.0);
}

// An encoder–decoder whose encoder reads a dilated convolution: the decoder's first step reads the encoder's
// final state, which reads every row, the last one included (its span once stopped a row short).
TEST(FrontEndOcclusion, EncoderBehindADilatedConvolutionReadsEveryRow) {
  Model model = lstmOverFourFeatures(false, HeadReads::EachStep, 23);
  StepLayer repeat;
  repeat.kind = StepLayer::Kind::Repeat;
  repeat.repeats = 3;
  model.arch.frontEnd = {test::window(StepLayer::Kind::Conv, 3, 4, 4, 1, 2, StepLayer::Padding::Same, "tanh"),
                         test::encoder(4, 4, "sigmoid", "tanh", false, 2), repeat};
  const Network<double> net = onInputVectors(model.cast<double>());
  const Mat<double> raw = Mat<double>::Random(3, 7);
  AttributionSettings settings;
  const TokenAttribution fast = attributeThroughFrontEnd(AttributionMethod::Occlusion, net, raw, {0, 0}, settings);
  const Vec<double> slow = occlusionTheSlowWay(net, raw, {0, 0}, 1);
  EXPECT_LE((fast.perToken - slow).cwiseAbs().maxCoeff(), 1e-12 * (1 + slow.cwiseAbs().maxCoeff()));
  EXPECT_NE(slow(6), 0.0);
}

TEST(FrontEndOcclusion, BidirectionalModelEqualsEveryWindowRunWhole) {
  expectSlowWay(convForecaster(true), {149, 0}, "bidirectional");
}

}  // namespace
}  // namespace lstmscope
