// lstmscope-cli attribute end to end: the JSON and CSV files hold what core/attribution computes (which
// attribution_tests checks against PyTorch), and bad requests exit 2 or 3 with a clear message.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/attribution/attribution_report.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "tests/support/cli_runner.h"
#include "tests/support/files.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

// Keys in the order they are written (the documented order).
using Json = nlohmann::ordered_json;

// The file parsed as JSON; a parse error fails the test with the file's text.
// The numbers of the JSON array under `key`.
std::vector<double> jsonArray(const Json& json, const std::string& key) {
  return json.contains(key) ? json[key].get<std::vector<double>>() : std::vector<double>{};
}

double jsonNumber(const Json& json, const std::string& key) {
  return json.contains(key) && json[key].is_number() ? json[key].get<double>() : NAN;
}

std::vector<std::string> keysOf(const Json& json) {
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  return keys;
}

// "a<separator>b<separator>c" of every method's command-line name.
std::string methodNames(const std::string& separator) {
  std::string out;
  for (const AttributionMethod m : kAllAttributionMethods)
    out += (out.empty() ? "" : separator) + attributionMethodName(m);
  return out;
}

class Attribute : public ::testing::Test {
 protected:
  void SetUp() override { saveNativeModel(smallCharModel(), model); }
  // The library's side of a comparison: the model and the test text's tokens.
  Network<double> net() const { return loadNativeModel(model).cast<double>(); }
  Inputs<double> tokens() const {
    const EncodedText e = encodeText(net().arch, text, "t", 100);
    return {e.inputs.steps, 1, e.inputs.tokens, {}};
  }
  ScratchDir dir{"attribute"};
  std::string model = dir.file("model.h5");
  const std::string text = "abcab";
};

TEST_F(Attribute, IntegratedGradientsJsonMatchesTheLibrary) {
  const std::string out = dir.file("ig.json");
  const CommandResult r =
      runCli("attribute --model " + shellQuoted(model) + " --text " + text +
             " --method ig --rule gausslegendre --steps 12 --target-step 2 --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  Json json = readJson<Json>(out);
  const Network<double> net = this->net();
  const Inputs<double> tokens = this->tokens();
  const AttributionTarget target = defaultTarget(net, tokens, 2);
  EXPECT_EQ(target.output, tokens.tokens[3]);  // a language model's default: the actual next token
  const TokenAttribution ig =
      integratedGradients(onInputVectors(net), inputVectors(net, tokens),
                          baselineVectors(net, tokens.steps, std::nullopt), target, QuadratureRule::GaussLegendre, 12);
  const std::vector<double> got = jsonArray(json, "attributions");
  ASSERT_EQ(got.size(), 5u);
  for (size_t t = 0; t < got.size(); ++t) EXPECT_DOUBLE_EQ(got[t], ig.perToken(static_cast<long>(t)));
  EXPECT_EQ(jsonNumber(json, "target"), target.output);
  EXPECT_EQ(jsonNumber(json, "target_step"), 2);
  EXPECT_DOUBLE_EQ(jsonNumber(json, "score"), ig.score);
  // The delta is a cancellation residue (~1e-17 here): two runs agree on it to the rounding of the sums
  // it comes from, not to its own last bits (Eigen's vectorised sum starts where the data's alignment
  // allows, which differs between processes).
  double magnitude = std::abs(ig.score) + std::abs(*ig.baselineScore);
  for (long t = 0; t < ig.perToken.size(); ++t) magnitude += std::abs(ig.perToken(t));
  EXPECT_NEAR(jsonNumber(json, "convergence_delta"), *ig.convergenceDelta,
              8 * std::numeric_limits<double>::epsilon() * magnitude);
  EXPECT_EQ(json["method"], "ig");
  EXPECT_EQ(json["tokens"], Json({"a", "b", "c", "a", "b"})) << json;
  EXPECT_EQ(keysOf(json), (std::vector<std::string>{"method", "target_step", "target", "target_description", "score",
                                                    "baseline_score", "attributions", "convergence_delta", "tokens",
                                                    "attributed_to"}));
  EXPECT_EQ(json["attributed_to"], "input");
  EXPECT_DOUBLE_EQ(jsonNumber(json, "baseline_score"), *ig.baselineScore);
  // Numbers keep full precision: the delta is the attributions' sum minus the score change, to rounding.
  double sum = 0;
  for (const double a : got) sum += a;
  EXPECT_NEAR(jsonNumber(json, "convergence_delta"),
              sum - (jsonNumber(json, "score") - jsonNumber(json, "baseline_score")), 1e-14);
}

TEST_F(Attribute, LrpJsonReportsConservation) {
  const std::string out = dir.file("lrp.json");
  const CommandResult r = runCli("attribute --model " + shellQuoted(model) + " --text " + text +
                                 " --method lrp --eps 0.01 --bias-factor 1 --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("biases and epsilon absorbed"), std::string::npos) << r.output;
  Json json = readJson<Json>(out);
  const Network<double> net = this->net();
  const Inputs<double> tokens = this->tokens();
  const LrpResult lrp =
      layerwiseRelevance(onInputVectors(net), inputVectors(net, tokens), defaultTarget(net, tokens), {0.01, 1});
  const std::vector<double> got = jsonArray(json, "attributions");
  ASSERT_EQ(got.size(), 5u);
  for (size_t t = 0; t < got.size(); ++t) EXPECT_DOUBLE_EQ(got[t], lrp.tokens.perToken(static_cast<long>(t)));
  ASSERT_TRUE(json.contains("convergence_delta")) << json;
  EXPECT_TRUE(json["convergence_delta"].is_null()) << json;
  Json& conservation = json["conservation"];
  EXPECT_EQ(keysOf(conservation),
            (std::vector<std::string>{"input_relevance", "initial_state_relevance", "absorbed", "stages"}));
  EXPECT_DOUBLE_EQ(jsonNumber(conservation, "initial_state_relevance"), lrp.initialStateRelevance);
  EXPECT_NEAR(jsonNumber(conservation, "absorbed"), 0, 1e-12);  // bias factor 1: conserved
  ASSERT_FALSE(conservation["stages"].empty()) << json;
  EXPECT_EQ(conservation["stages"][0]["stage"], "head") << json;
  EXPECT_EQ(keysOf(conservation["stages"][0]),
            (std::vector<std::string>{"stage", "received", "passed_on", "initial_state", "absorbed"}));
  EXPECT_EQ(keysOf(json), (std::vector<std::string>{"method", "target_step", "target", "target_description", "score",
                                                    "baseline_score", "attributions", "convergence_delta",
                                                    "conservation", "tokens", "attributed_to"}));
  EXPECT_EQ(json["attributed_to"], "input");  // no front end: LRP reaches the tokens
}

TEST_F(Attribute, CellUnitTarget) {
  const std::string out = dir.file("cell.json");
  const CommandResult r =
      runCli("attribute --model " + shellQuoted(model) + " --text " + text +
             " --method gradxinput --target-unit cell:0/fwd/2 --target-step 3 --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  Json json = readJson<Json>(out);
  const Network<double> net = this->net();
  const Inputs<double> tokens = this->tokens();
  const TokenAttribution gxi =
      gradientTimesInput(onInputVectors(net), inputVectors(net, tokens), stateTarget(TargetKind::Cell, 0, 0, 2, 3));
  const std::vector<double> got = jsonArray(json, "attributions");
  ASSERT_EQ(got.size(), 5u);
  for (size_t t = 0; t < got.size(); ++t) EXPECT_DOUBLE_EQ(got[t], gxi.perToken(static_cast<long>(t)));
  EXPECT_EQ(got[4], 0);  // a later token cannot drive an earlier cell of a forward layer
  EXPECT_EQ(json["target_description"], "cell 0/fwd/2 at step 3") << json;
}

TEST_F(Attribute, PlotsAsPngSvgAndPdfWithoutADisplay) {
  const std::map<std::string, std::string> magic{{"png", "\x89PNG"}, {"svg", "<?xml"}, {"pdf", "%PDF"}};
  for (const auto& [suffix, start] : magic) {
    const std::string out = dir.file("plot." + suffix);
    const CommandResult r =
        runCommand("env -u DISPLAY " + shellQuoted(LSTMSCOPE_CLI) + " attribute --model " + shellQuoted(model) +
                   " --text " + text + " --method lrp --out " + shellQuoted(out));
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string bytes = slurp(out);
    EXPECT_GT(bytes.size(), 1000u) << suffix;
    EXPECT_EQ(bytes.rfind(start, 0), 0u) << suffix;
    if (suffix == "svg") {  // the title names the model, the method and the target
      EXPECT_NE(bytes.find("model.h5"), std::string::npos);
      EXPECT_NE(bytes.find("LRP"), std::string::npos);
      EXPECT_NE(bytes.find("at step 4"), std::string::npos);
    }
  }
  // An unwritable place: a clear error, exit 3, nothing left behind.
  const CommandResult bad = runCli("attribute --model " + shellQuoted(model) + " --text " + text +
                                   " --method saliency --out " + shellQuoted(dir.file("no/such/dir/p.png")));
  EXPECT_EQ(bad.exitCode, 3) << bad.output;
  EXPECT_NE(bad.output.find("p.png"), std::string::npos) << bad.output;
}

TEST_F(Attribute, CsvHasOneRowPerToken) {
  const std::string out = dir.file("s.csv");
  ASSERT_EQ(runCli("attribute --model " + shellQuoted(model) + " --text " + text + " --method occlusion --out " +
                   shellQuoted(out))
                .exitCode,
            0);
  const std::string csv = slurp(out);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  EXPECT_EQ(csv.rfind("step,token,attribution\n0,\"a\",", 0), 0u) << csv;
}

TEST_F(Attribute, BadRequestsSayWhy) {
  const std::string m = "attribute --model " + shellQuoted(model) + " --text " + text;
  const CommandResult method = runCli(m + " --method deeplift --out " + shellQuoted(dir.file("a.json")));
  EXPECT_EQ(method.exitCode, 2);
  EXPECT_NE(method.output.find("unknown --method 'deeplift'"), std::string::npos) << method.output;
  EXPECT_EQ(runCli(m + " --method lrp --eps -1 --out " + shellQuoted(dir.file("a.json"))).exitCode, 2);
  const CommandResult unit =
      runCli(m + " --method lrp --target-unit cell:0/up/1 --out " + shellQuoted(dir.file("a.json")));
  EXPECT_EQ(unit.exitCode, 2);
  EXPECT_NE(unit.output.find("--target-unit must look like cell:0/fwd/7"), std::string::npos) << unit.output;
  const CommandResult noUnit =
      runCli(m + " --method lrp --target-unit hidden:0/fwd/99 --out " + shellQuoted(dir.file("a.json")));
  EXPECT_EQ(noUnit.exitCode, 3);
  EXPECT_NE(noUnit.output.find("target unit 99"), std::string::npos) << noUnit.output;
  EXPECT_EQ(runCli(m + " --method ig --out " + shellQuoted(dir.file("a.txt"))).exitCode, 2);
  EXPECT_EQ(runCli(m + " --method ig --rule simpson --out " + shellQuoted(dir.file("a.json"))).exitCode, 2);
  // The test model has an UNK token but no pad token.
  EXPECT_EQ(runCli(m + " --method ig --baseline unk --out " + shellQuoted(dir.file("u.json"))).exitCode, 0);
  const CommandResult pad = runCli(m + " --method ig --baseline pad --out " + shellQuoted(dir.file("a.json")));
  EXPECT_EQ(pad.exitCode, 3);
  EXPECT_NE(pad.output.find("no pad token"), std::string::npos) << pad.output;
  EXPECT_NE(pad.output.find(model), std::string::npos) << pad.output;
  const CommandResult step = runCli(m + " --method saliency --target-step 9 --out " + shellQuoted(dir.file("a.json")));
  EXPECT_EQ(step.exitCode, 3);
  EXPECT_NE(step.output.find("target step 9"), std::string::npos) << step.output;
  const std::string tooMany = std::to_string(kMaxIgSteps + 1L);
  const CommandResult steps =
      runCli(m + " --method ig --steps " + tooMany + " --out " + shellQuoted(dir.file("a.json")));
  EXPECT_EQ(steps.exitCode, 2);
  EXPECT_NE(steps.output.find("--steps must be 1.." + std::to_string(kMaxIgSteps)), std::string::npos) << steps.output;
}

// The command list and attribute's help name exactly the methods --method accepts.
TEST(AttributeHelp, NamesExactlyTheAcceptedMethods) {
  const CommandResult main = runCli("--help");
  EXPECT_NE(main.output.find("(" + methodNames(", ") + ")"), std::string::npos) << main.output;
  const CommandResult help = runCli("attribute --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("--method       " + methodNames(" | ") + "\n"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("default " + std::to_string(kDefaultIgSteps) + ", at most " + std::to_string(kMaxIgSteps)),
            std::string::npos)
      << help.output;
  for (const QuadratureRule r : kQuadratureRules)
    EXPECT_NE(help.output.find(quadratureRuleName(r)), std::string::npos) << quadratureRuleName(r);
}

// A forecaster reads a CSV table: gradient x input per step against central finite differences of the
// forecast (forward passes only), steps named by the date column.
TEST(AttributeTable, GradientTimesInputOfAForecastMatchesFiniteDifferences) {
  ScratchDir dir("attribute-table");
  const std::string model = dir.file("forecaster.h5"), table = dir.file("table.csv"), out = dir.file("a.json");
  saveNativeModel(smallFeatureModel(2), model);
  std::ofstream(table) << "date,x,y\n2024-01-01,0.5,-1\n2024-01-02,1.5,0.25\n2024-01-03,-0.75,2\n";
  const CommandResult r = runCli("attribute --model " + shellQuoted(model) + " --csv " + shellQuoted(table) +
                                 " --label-column date --method gradxinput --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  Json json = readJson<Json>(out);
  EXPECT_EQ(json["tokens"], Json({"2024-01-01", "2024-01-02", "2024-01-03"})) << json;
  const std::vector<double> got = jsonArray(json, "attributions");
  ASSERT_EQ(got.size(), 3u);

  const Network<double> net = loadNativeModel(model).cast<double>();
  Inputs<double> in;
  in.steps = 3;
  in.features.resize(2, 3);
  in.features << 0.5, 1.5, -0.75, -1, 0.25, 2;
  const auto forecast = [&](const Inputs<double>& x) {
    Tape<double> tape;
    forward(net, x, tape);
    return tape.logits(0, 0);
  };
  EXPECT_NEAR(jsonNumber(json, "score"), forecast(in), 1e-12);
  for (long t = 0; t < 3; ++t) {
    double expected = 0;
    for (long d = 0; d < 2; ++d) {
      Inputs<double> up = in, down = in;
      const double h = 1e-6;
      up.features(d, t) += h, down.features(d, t) -= h;
      expected += in.features(d, t) * (forecast(up) - forecast(down)) / (2 * h);
    }
    EXPECT_NEAR(got[static_cast<size_t>(t)], expected, 1e-7 + 1e-5 * std::abs(expected)) << "step " << t;
  }
  const CommandResult text =
      runCli("attribute --model " + shellQuoted(model) + " --text abc --method ig --out " + shellQuoted(out));
  EXPECT_EQ(text.exitCode, 3);
  EXPECT_NE(text.output.find("give a CSV file with --csv"), std::string::npos) << text.output;
  const CommandResult column = runCli("attribute --model " + shellQuoted(model) + " --csv " + shellQuoted(table) +
                                      " --label-column when --method ig --out " + shellQuoted(out));
  EXPECT_EQ(column.exitCode, 2);
  EXPECT_NE(column.output.find("no column 'when'"), std::string::npos) << column.output;
  // A head with one output per sequence has no output at other steps, but a step the input lacks is still a
  // mistake to name, not a request to answer with the last step's score.
  const CommandResult late = runCli("attribute --model " + shellQuoted(model) + " --csv " + shellQuoted(table) +
                                    " --method saliency --target-step 50 --out " + shellQuoted(out));
  EXPECT_EQ(late.exitCode, 3) << late.output;
  EXPECT_NE(late.output.find("target step 50"), std::string::npos) << late.output;
  // Nor is an earlier step, which would be described as an output there while the score is the final one.
  const CommandResult early = runCli("attribute --model " + shellQuoted(model) + " --csv " + shellQuoted(table) +
                                     " --method saliency --target-step 1 --out " + shellQuoted(out));
  EXPECT_EQ(early.exitCode, 3) << early.output;
  EXPECT_NE(early.output.find("target step 1 has no output: the model predicts once"), std::string::npos)
      << early.output;
}

}  // namespace
}  // namespace lstmscope::test
