// Attribution through a front end to the raw input (docs/ATTRIBUTION.md "Through the front end"), against
// PyTorch autograd in float64 on the same Keras models (tests/foreign/keras_autograd.py): the gradient of
// output 0 at the last output step with respect to every raw feature or token embedding, Integrated Gradients
// (midpoint, zero baseline) and occlusion (window 1) per row, for every kind of front end the importers make:
// per-step Dense(relu) and LayerNormalization, Conv1D with max and average pooling (same, causal, dilated,
// strided), an Embedding read through a convolution, and an encoder–decoder's encoder and RepeatVector.
#include "core/attribution/front_end_attribution.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/formats/model_loader.h"
#include "tests/foreign/reference_outputs.h"
#include "tests/support/run_command.h"

namespace lstmscope::test {
namespace {

// Output 0 at the last output step: the score of the references, unless they name another step.
AttributionTarget lastStepOutputZero(const Network<double>& net, const Mat<double>& raw) {
  AttributionTarget target;
  target.step = applyFrontEnd(net.arch, raw).cols() - 1;
  target.output = 0;
  return target;
}

Mat<double> rawInputOf(const Architecture& arch, hid_t group) {
  if (!arch.frontEndReadsTokens()) return readTransposed(group, "input");
  const std::vector<int32_t> ids = h5::readInts(group, "input", "input");
  Mat<double> row(1, static_cast<long>(ids.size()));
  for (size_t t = 0; t < ids.size(); ++t) row(0, static_cast<long>(t)) = ids[t];
  return row;
}

class FrontEndAttribution : public ::testing::TestWithParam<const char*> {};

TEST_P(FrontEndAttribution, MatchesPyTorchAutogradOnTheRawInput) {
  // "FILE" (the reference group named after it) or "FILE#GROUP".
  const std::string param = GetParam(), file = param.substr(0, param.find('#'));
  const std::string name =
      param.find('#') != std::string::npos ? param.substr(param.find('#') + 1) : file.substr(0, file.find('.'));
  const Network<double> net = onInputVectors(importModel(kerasFixture(file)).model.cast<double>());
  ASSERT_FALSE(net.arch.frontEnd.empty()) << name;
  h5::File ref = h5::File::openReadOnly(kerasFixture("front_end_attribution.h5"));
  const h5::Handle group = h5::openGroup(ref.id(), name, "front_end_attribution.h5");
  const Mat<double> raw = rawInputOf(net.arch, group.get());
  AttributionTarget target = lastStepOutputZero(net, raw);
  target.step = *h5::readIntAttr(group.get(), "target_step");
  const Mat<double> vectors = readTransposed(group.get(), "vectors");  // (dims, rows)
  const Mat<double> gradient = readTransposed(group.get(), "gradient");
  ASSERT_EQ(frontEndInputVectors(net.arch, raw).rows(), vectors.rows());
  EXPECT_LE(relativeError(frontEndInputVectors(net.arch, raw), vectors), 1e-12) << name;
  const double score = *h5::readFloatAttr(group.get(), "score");
  const double baselineScore = *h5::readFloatAttr(group.get(), "baseline_score");

  AttributionSettings settings;
  settings.window = static_cast<int>(*h5::readIntAttr(group.get(), "window"));
  const TokenAttribution gxi =
      attributeThroughFrontEnd(AttributionMethod::GradientTimesInput, net, raw, target, settings);
  EXPECT_NEAR(gxi.score, score, 1e-10 * std::max(1.0, std::abs(score))) << name;
  ASSERT_EQ(gxi.perDimension.rows(), vectors.rows()) << name;
  ASSERT_EQ(gxi.perDimension.cols(), vectors.cols()) << name;
  const Mat<double> expectedGxi = gradient.cwiseProduct(vectors);
  EXPECT_LE(relativeError(gxi.perDimension, expectedGxi), 1e-9) << name;

  const TokenAttribution saliency = attributeThroughFrontEnd(AttributionMethod::Saliency, net, raw, target, settings);
  EXPECT_LE(relativeError(saliency.perToken, Vec<double>(gradient.colwise().norm().transpose())), 1e-9) << name;

  settings.rule = QuadratureRule::Midpoint;
  settings.steps = static_cast<int>(*h5::readIntAttr(group.get(), "ig_steps"));
  const TokenAttribution ig =
      attributeThroughFrontEnd(AttributionMethod::IntegratedGradients, net, raw, target, settings);
  EXPECT_LE(relativeError(ig.perToken, readSameShape(group.get(), "ig")), 1e-9) << name;
  EXPECT_NEAR(*ig.baselineScore, baselineScore, 1e-10 * std::max(1.0, std::abs(baselineScore))) << name;
  EXPECT_NEAR(*ig.convergenceDelta, ig.perToken.sum() - (score - baselineScore), 1e-9) << name;

  const TokenAttribution occlusion = attributeThroughFrontEnd(AttributionMethod::Occlusion, net, raw, target, settings);
  EXPECT_LE(relativeError(occlusion.perToken, readSameShape(group.get(), "occlusion")), 1e-9) << name;
}

INSTANTIATE_TEST_SUITE_P(KerasFrontEnds, FrontEndAttribution,
                         ::testing::Values("front_end_forecaster.h5", "conv_forecaster.h5", "conv_causal.keras",
                                           "imdb_cnn_lstm.h5", "seq2seq_forecaster.h5", "seq2seq_text.h5",
                                           "conv_causal.keras#conv_causal_early"));

// LRP is not carried through a front end: asked for, it is refused by name (the report keeps it at the
// LSTM's input features, MethodAttribution::onRawInput false).
TEST(FrontEndAttributionLimits, LrpStopsAtTheLstmInputFeatures) {
  const Network<double> net = onInputVectors(importModel(kerasFixture("conv_forecaster.h5")).model.cast<double>());
  EXPECT_TRUE(attributesThroughFrontEnd(net.arch, AttributionMethod::IntegratedGradients));
  EXPECT_FALSE(attributesThroughFrontEnd(net.arch, AttributionMethod::Lrp));
  const Mat<double> raw = Mat<double>::Random(3, 8);
  try {
    attributeThroughFrontEnd(AttributionMethod::Lrp, net, raw, lastStepOutputZero(net, raw), {});
    FAIL() << "LRP went through the front end";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("LSTM's input features"), std::string::npos) << e.what();
  }
}

// The command line on a table through Conv1D + MaxPooling1D: one attribution per row of the table (labelled
// by its date column), equal to PyTorch's gradient × input summed over each row's features; LRP keeps one
// value per LSTM step and says where it stopped.
TEST(FrontEndAttributionCli, AttributesEveryRowOfTheTable) {
  h5::File ref = h5::File::openReadOnly(kerasFixture("front_end_attribution.h5"));
  const h5::Handle group = h5::openGroup(ref.id(), "conv_forecaster", "front_end_attribution.h5");
  const Mat<double> raw = readTransposed(group.get(), "input");  // (3, 11)
  const Mat<double> gradient = readTransposed(group.get(), "gradient");
  const std::string csv = ::testing::TempDir() + "front_end_rows.csv";
  {
    std::ofstream table(csv);
    table << "date,a,b,c\n";
    for (long r = 0; r < raw.cols(); ++r) {
      char row[160];
      std::snprintf(row, sizeof row, "2024-01-%02ld,%.17g,%.17g,%.17g\n", r + 1, raw(0, r), raw(1, r), raw(2, r));
      table << row;
    }
  }
  const std::string out = ::testing::TempDir() + "front_end_rows.json";
  const std::string command = std::string(LSTMSCOPE_CLI) + " attribute --model " +
                              shellQuoted(kerasFixture("conv_forecaster.h5")) + " --csv " + shellQuoted(csv) +
                              " --label-column date --target 0 --out " + shellQuoted(out) + " --method ";
  const CommandResult gxi = runCommand(command + "gradxinput");
  ASSERT_EQ(gxi.exitCode, 0) << gxi.output;
  nlohmann::json json = nlohmann::json::parse(std::ifstream(out));
  EXPECT_EQ(json["attributed_to"], "input");
  ASSERT_EQ(json["attributions"].size(), 11u) << json.dump();
  EXPECT_EQ(json["tokens"][0], "2024-01-01");
  EXPECT_EQ(json["tokens"][10], "2024-01-11");
  // The last step (4) reads the convolution's steps 8 and 9, which read rows 7 to 10.
  EXPECT_EQ(json["target_input_index"], 10);
  const Vec<double> expected = gradient.cwiseProduct(raw).colwise().sum().transpose();
  for (long r = 0; r < 11; ++r)
    EXPECT_NEAR(json["attributions"][static_cast<size_t>(r)].get<double>(), expected(r),
                1e-9 * expected.cwiseAbs().maxCoeff())
        << "row " << r;
  const CommandResult lrp = runCommand(command + "lrp");
  ASSERT_EQ(lrp.exitCode, 0) << lrp.output;
  EXPECT_NE(lrp.output.find("LRP stops at the LSTM's input features"), std::string::npos) << lrp.output;
  json = nlohmann::json::parse(std::ifstream(out));
  EXPECT_EQ(json["attributed_to"], "lstm_input_features");
  EXPECT_EQ(json["attributions"].size(), 5u);  // same padding, pool 2: 11 rows give 5 steps
  EXPECT_FALSE(json.contains("target_input_index"));
  // The CSV counts rows, not steps.
  const std::string csvOut = ::testing::TempDir() + "front_end_saliency.csv";
  const CommandResult rowsCsv = runCommand(
      std::string(LSTMSCOPE_CLI) + " attribute --model " + shellQuoted(kerasFixture("conv_forecaster.h5")) + " --csv " +
      shellQuoted(csv) + " --label-column date --target 0 --method saliency --out " + shellQuoted(csvOut));
  ASSERT_EQ(rowsCsv.exitCode, 0) << rowsCsv.output;
  std::stringstream rowsText;
  rowsText << std::ifstream(csvOut).rdbuf();
  EXPECT_EQ(rowsText.str().rfind("row,token,attribution\n0,\"2024-01-01\",", 0), 0u) << rowsText.str();
  std::filesystem::remove(csvOut);
  std::filesystem::remove(csv);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace lstmscope::test
