// intervene, ablate, patch and generate end to end: what they write and how they refuse bad input. (Their
// numbers are checked against PyTorch by tests/intervention/intervention_oracle.py.)
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/cli_runner.h"
#include "tests/support/files.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

class InterventionCli : public ::testing::Test {
 protected:
  void SetUp() override { saveNativeModel(smallCharModel(), model); }
  std::string m() const { return "--model " + shellQuoted(model) + " "; }
  ScratchDir dir{"cli_interventions"};
  std::string model = dir.file("model.h5");
  const std::string text = "--text 'ab (abc) ((a)) b' ";
};

TEST_F(InterventionCli, InterveneWritesATraceThatRecordsTheSpecs) {
  const std::string out = dir.file("iv.h5");
  const CommandResult r = runCli("intervene " + m() + text +
                                 "--set '1/fwd/c:0,2@3:9=zero' --set '0/fwd/h:1=add:0.25' "
                                 "--out " +
                                 shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "2 intervention(s) on 3 unit(s)")) << r.output;
  const TraceReader trace(out);
  EXPECT_EQ(trace.interventions(), (std::vector<std::string>{"1/fwd/c:0,2@3:9=zero", "0/fwd/h:1=add:0.25"}));
  const Mat<float> c = trace.read(1, 0, Quantity::C, 0, trace.steps());  // (units, steps)
  for (long t = 3; t < 9; ++t) EXPECT_EQ(c(0, t), 0.0f) << t;
  EXPECT_NE(c(0, 2), 0.0f);
  EXPECT_TRUE(contains(runCli("info " + shellQuoted(out)).output, "intervention: 1/fwd/c:0,2@3:9=zero"));
}

TEST_F(InterventionCli, AblateWritesEffectsAsJsonCsvAndFigures) {
  const std::string json = dir.file("e.json"), csv = dir.file("e.csv"), map = dir.file("m.json");
  ASSERT_EQ(runCli("ablate " + m() + text + "--quantity 1/fwd/c --out " + shellQuoted(json)).exitCode, 0);
  const auto j = readJson(json);
  EXPECT_EQ(j["target_step"], 15);
  EXPECT_EQ(j["score_kind"], "logprob");
  EXPECT_EQ(j["effects"].size(), 6u);  // layer 1 of the small model has 6 units
  EXPECT_EQ(j["units"].size(), 6u);
  ASSERT_EQ(runCli("ablate " + m() + text + "--quantity 1/fwd/c --out " + shellQuoted(csv)).exitCode, 0);
  std::ifstream lines(csv);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header, "unit,ablated_to,effect");
  ASSERT_EQ(
      runCli("ablate " + m() + text + "--quantity 0/fwd/h --map --steps 10:16 --value mean --out " + shellQuoted(map))
          .exitCode,
      0);
  const auto jm = readJson(map);
  EXPECT_EQ(jm["effect_map"].size(), 6u);     // steps 10..15
  EXPECT_EQ(jm["effect_map"][0].size(), 5u);  // layer 0's units
  EXPECT_EQ(jm["value"], "mean");
  for (const char* figure : {"e.png", "e.svg", "m.pdf"}) {
    const CommandResult r =
        runCli("ablate " + m() + text + "--quantity 1/fwd/c " + (std::string(figure) == "m.pdf" ? "--map " : "") +
               "--out " + shellQuoted(dir.file(figure)));
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_GT(std::filesystem::file_size(dir.file(figure)), 1000u) << figure;
  }
}

TEST_F(InterventionCli, PatchAndGenerateWork) {
  const std::string out = dir.file("p.json");
  const CommandResult r =
      runCli("patch " + m() + "--clean 'ab (abc)' --corrupt 'ab (ab c' --quantity 0/fwd/c --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto j = readJson(out);
  EXPECT_EQ(j["restored"].size(), 8u);
  EXPECT_EQ(j["restored"][0].size(), 5u);
  EXPECT_NE(j["clean_score"], j["corrupt_score"]);
  const CommandResult g = runCli("generate " + m() + "--prompt 'ab (' --tokens 8 --set '0/fwd/c:0,1,2,3,4=1'");
  ASSERT_EQ(g.exitCode, 0) << g.output;
  EXPECT_TRUE(contains(g.output, "plain:")) << g.output;
  EXPECT_TRUE(contains(g.output, "intervened:")) << g.output;
}

// A model that reads text through a window front end (a lookup, then a convolution over 2 characters with
// stride 2): its steps are windows of characters, so texts of different lengths may give as many steps, and
// a refusal counts steps, not tokens.
TEST_F(InterventionCli, PatchThroughAFrontEndCountsSteps) {
  const Model windows = smallTextFrontEndModel(2);
  const std::string path = dir.file("windows.h5"), out = dir.file("p.json");
  saveNativeModel(windows, path);
  const std::string patch = "patch --model " + shellQuoted(path) + " --quantity 0/fwd/c --out " + shellQuoted(out);
  const CommandResult refused = runCli(patch + " --clean 'abcabc' --corrupt 'abca'");
  EXPECT_EQ(refused.exitCode, 3) << refused.output;
  EXPECT_TRUE(contains(refused.output,
                       "--clean gives 3 LSTM steps and --corrupt 2 (the model's front end reads windows of tokens)"))
      << refused.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  const CommandResult r = runCli(patch + " --clean 'abcab' --corrupt 'bbca'");  // 5 and 4 characters, 2 steps
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(readJson(out)["restored"].size(), 2u);
}

TEST_F(InterventionCli, BadInputIsRefusedWithTheReason) {
  const std::pair<std::string, std::pair<int, std::string>> cases[] = {
      {"intervene " + m() + text + "--out " + shellQuoted(dir.file("x.h5")), {2, "at least one --set"}},
      {"intervene " + m() + text + "--set 1/fwd/c:3 --out " + shellQuoted(dir.file("x.h5")), {2, "no '='"}},
      {"intervene " + m() + text + "--set 1/fwd/c:3=nan --out " + shellQuoted(dir.file("x.h5")), {2, "finite number"}},
      {"intervene " + m() + text + "--set 4/fwd/c:3=0 --out " + shellQuoted(dir.file("x.h5")), {3, "no layer 4"}},
      {"intervene " + m() + text + "--set 1/fwd/c:30=0 --out " + shellQuoted(dir.file("x.h5")), {3, "no unit 30"}},
      {"intervene " + m() + text + "--set 1/bwd/c:3=0 --out " + shellQuoted(dir.file("x.h5")), {3, "no direction bwd"}},
      {"intervene " + m() + text + "--set 1/fwd/c:3@99:100=0 --out " + shellQuoted(dir.file("x.h5")),
       {3, "starts at step 99"}},
      {"intervene " + m() + text + "--set 1/fwd/c:3=0 --out " + shellQuoted(dir.file("x.json")),
       {2, "must end in .h5"}},
      {"intervene " + m() + text + "--set 1/fwd/c:3=0 --out " + shellQuoted(model), {2, ".h5"}},
      {"ablate " + m() + text + "--quantity 1/fwd/pre_i --out " + shellQuoted(dir.file("x.json")),
       {2, "not a pre-activation"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --steps 9:3 --out " + shellQuoted(dir.file("x.json")),
       {2, "empty"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --steps 40:50 --out " + shellQuoted(dir.file("x.json")),
       {3, "hold none"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --value half --out " + shellQuoted(dir.file("x.json")),
       {2, "zero or mean"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --target 99 --out " + shellQuoted(dir.file("x.json")),
       {3, "outside the head"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --target-step 99 --out " + shellQuoted(dir.file("x.json")),
       {3, "outside"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --target-unit c:1/fwd/9 --out " + shellQuoted(dir.file("x.json")),
       {3, "not in the model"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --target-unit x --out " + shellQuoted(dir.file("x.json")),
       {2, "c:1/fwd/7"}},
      {"ablate " + m() + text + "--quantity 1/fwd/c --out " + shellQuoted(dir.file("x.txt")), {2, "--out must end"}},
      {"ablate " + m() + "--corpus " + shellQuoted(dir.file("")) + " --quantity 1/fwd/c --out " +
           shellQuoted(dir.file("x.json")),
       {2, "unknown option --corpus"}},
      {"patch " + m() + "--clean 'abc' --corrupt 'ab' --quantity 0/fwd/c --out " + shellQuoted(dir.file("x.json")),
       {3, "same number of tokens"}},
      {"patch " + m() + "--clean 'abc' --corrupt 'abc' --quantity 0/fwd/c --out " + shellQuoted(dir.file("x.json")),
       {3, "no difference"}},
      {"generate " + m() + "--prompt 'ab' --temperature -1", {2, "--temperature"}},
      {"generate " + m() + "--prompt 'ab' --tokens 0", {2, "--tokens"}},
      {"generate " + m() + "--prompt '' --tokens 3", {3, "empty"}},
  };
  for (const auto& [args, expected] : cases) {
    const CommandResult r = runCli(args);
    EXPECT_EQ(r.exitCode, expected.first) << args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, expected.second)) << args << "\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.json")));
}

}  // namespace
}  // namespace lstmscope::test
