// lstmscope-cli probe end to end: what it writes, the temporary trace it records from a model (never left
// behind), and its usage and input errors. (Its numbers are checked against scipy and scikit-learn by
// tests/probing/probe_oracle.py.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/formats/native_model.h"
#include "tests/support/cli_runner.h"
#include "tests/support/files.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

class ProbeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    saveNativeModel(smallCharModel(), model);
    std::filesystem::create_directory(dir.file("docs"));
    std::ofstream(dir.file("docs/one.txt")) << "ab (abc) ((a)) b";
    std::ofstream(dir.file("docs/two.txt")) << "(c) abc (b)";
    std::ofstream(dir.file("docs/three.txt")) << "a ((b)) c";
    const CommandResult r =
        runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(dir.file("docs")) + " --out " +
               shellQuoted(trace) + " --quiet --quantities c,o,h --meta depth=builtin:bracket-depth");
    ASSERT_EQ(r.exitCode, 0) << r.output;
    std::filesystem::create_directory(tmp);
  }
  // Runs with TMPDIR set to a folder of its own, so that a leftover temporary trace would show.
  CommandResult probe(const std::string& args) { return runCli("probe " + args); }
  ScratchDir dir{"cli_probe"};
  std::string model = dir.file("model.h5"), trace = dir.file("t.h5"), tmp = dir.file("tmp");
};

TEST_F(ProbeCli, RanksUnitsAndTrainsProbesOnATrace) {
  const std::string out = dir.file("r.json");
  const CommandResult r = probe("--trace " + shellQuoted(trace) +
                                " --label builtin:bracket-depth --quantity c,o --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(doc["label"], "builtin:bracket-depth");
  EXPECT_EQ(doc["label_kind"], "scalar");
  EXPECT_EQ(doc["metric"], "pearson");
  EXPECT_EQ(doc["steps"], 36);
  const long units = static_cast<long>(doc["units_scored"]) + static_cast<long>(doc["units_unscored"]);
  EXPECT_EQ(units, 2 * (5 + 6));  // two quantities of the small model's two layers (5 and 6 units)
  ASSERT_FALSE(doc["ranking"].empty());
  double previous = 2;
  for (const auto& u : doc["ranking"]) {  // strongest first, each with its sign
    const double r = u["score"];
    EXPECT_LE(std::abs(r), previous + 1e-15);
    EXPECT_EQ(u["sign"], r < 0 ? -1 : 1);
    previous = std::abs(r);
  }
  // The curve: each layer and both together, for each quantity; the probe reported is its best.
  ASSERT_EQ(doc["curve"].size(), 6u);
  EXPECT_EQ(doc["probe"]["kind"], "ridge");
  EXPECT_EQ(doc["probe"]["train_steps"].get<long>() + doc["probe"]["test_steps"].get<long>(), 36);
  // Documents in name order: one.txt (16 steps) and two.txt (11) train, three.txt (9) tests.
  EXPECT_EQ(doc["probe"]["test_steps"], 9);
  // The L1 path of the reported probe: l1_units_95 is the fewest units of a point whose refit reaches 95 %
  // of the probe's test score (null when none does, or the score is not positive).
  const auto& path = doc["probe"]["l1_path"];
  ASSERT_FALSE(path["points"].empty());
  const double testScore = doc["probe"]["test_score"];
  long fewest = -1;
  for (const auto& point : path["points"]) {
    EXPECT_GE(point["units"].get<long>(), 1);
    if (testScore > 0 && point["refit_test_score"].get<double>() >= 0.95 * testScore &&
        (fewest < 0 || point["units"].get<long>() < fewest))
      fewest = point["units"];
  }
  EXPECT_EQ(path["baseline"].get<double>(), 0.0);  // R^2 of the constant prediction
  if (testScore > 0) {
    EXPECT_DOUBLE_EQ(path["target"].get<double>(), 0.95 * testScore);
  }
  if (fewest < 0) {
    EXPECT_TRUE(doc["probe"]["l1_units_95"].is_null());
  } else {
    EXPECT_EQ(doc["probe"]["l1_units_95"], fewest);
    // Those units by name, and the interventions that set them to their mean: `intervene` takes them.
    ASSERT_EQ(doc["probe"]["l1_units"].size(), static_cast<size_t>(fewest));
    std::string sets;
    for (const auto& spec : doc["probe"]["ablate_l1_units"]) {
      EXPECT_NE(spec.get<std::string>().find("=mean"), std::string::npos) << spec;
      sets += " --set " + shellQuoted(spec.get<std::string>());
    }
    const CommandResult ablated = runCli("intervene --model " + shellQuoted(model) + " --text 'a ((b)) c'" + sets +
                                         " --out " + shellQuoted(dir.file("ablated.h5")));
    EXPECT_EQ(ablated.exitCode, 0) << ablated.output;
    // Steering along the kept probe: one add: per unit, which `intervene` takes too.
    EXPECT_GT(doc["probe"]["steering_shift"].get<double>(), 0);  // the depth's standard deviation
    std::string steers;
    for (const auto& spec : doc["probe"]["steer_l1_units"]) {
      EXPECT_NE(spec.get<std::string>().find("=add:"), std::string::npos) << spec;
      steers += " --set " + shellQuoted(spec.get<std::string>());
    }
    EXPECT_FALSE(steers.empty());
    const CommandResult steered = runCli("intervene --model " + shellQuoted(model) + " --text 'a ((b)) c'" + steers +
                                         " --out " + shellQuoted(dir.file("steered.h5")));
    EXPECT_EQ(steered.exitCode, 0) << steered.output;
  }
  // Steering along the reported probe itself: one add: per unit it reads (an L2 probe weighs them all),
  // which `intervene` takes.
  EXPECT_GT(doc["probe"]["all_units_steering_shift"].get<double>(), 0);  // the depth's standard deviation
  ASSERT_EQ(doc["probe"]["steer_all_units"].size(), doc["probe"]["features"].get<size_t>());
  std::string wholeProbe;
  for (const auto& spec : doc["probe"]["steer_all_units"]) {
    EXPECT_NE(spec.get<std::string>().find("=add:"), std::string::npos) << spec;
    wholeProbe += " --set " + shellQuoted(spec.get<std::string>());
  }
  const CommandResult steeredAll = runCli("intervene --model " + shellQuoted(model) + " --text 'a ((b)) c'" +
                                          wholeProbe + " --out " + shellQuoted(dir.file("steered_all.h5")));
  EXPECT_EQ(steeredAll.exitCode, 0) << steeredAll.output;
  for (const auto& c : doc["curve"]) EXPECT_LE(c["test_score"].get<double>(), doc["probe"]["test_score"].get<double>());
  // The meta track recorded with the same built-in gives the same answer.
  const std::string fromMeta = dir.file("m.json");
  ASSERT_EQ(probe("--trace " + shellQuoted(trace) + " --label meta:depth --quantity c,o --out " + shellQuoted(fromMeta))
                .exitCode,
            0);
  auto metaDoc = nlohmann::json::parse(slurp(fromMeta));
  metaDoc["label"] = doc["label"];
  EXPECT_EQ(metaDoc, doc);
}

TEST_F(ProbeCli, RecordsFromAModelIntoATemporaryTraceThatItRemoves) {
  const std::string out = dir.file("r.csv");
  const CommandResult r =
      runCommand("TMPDIR=" + shellQuoted(tmp) + " " + shellQuoted(LSTMSCOPE_CLI) + " probe --model " +
                 shellQuoted(model) + " --corpus " + shellQuoted(dir.file("docs")) +
                 " --label 'regex:\\(' --probe none --metric iou --top 3 --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "a temporary trace was left behind";
  const std::string csv = slurp(out);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "rank,layer,direction,quantity,unit,score,sign,category,threshold");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  // A failing recording (a text file that is not there) leaves nothing behind either.
  const CommandResult bad = runCommand(
      "TMPDIR=" + shellQuoted(tmp) + " " + shellQuoted(LSTMSCOPE_CLI) + " probe --model " + shellQuoted(model) +
      " --text-file " + shellQuoted(dir.file("none.txt")) + " --label builtin:quote --out " + shellQuoted(out));
  EXPECT_EQ(bad.exitCode, 3) << bad.output;
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

// --layers chooses the layers of the ranking, of each layer's probe and of the all-layers probe: with layers 0
// and 2 of three (5, 6 and 7 units), the all-layers probe reads 5 + 7 features, and layer 1 is nowhere.
TEST_F(ProbeCli, TheChosenLayersAreTheOnlyOnesRankedAndProbed) {
  const std::string threeLayers = dir.file("three.h5"), out = dir.file("layers.json");
  saveNativeModel(smallCharModel(3), threeLayers);
  const CommandResult r = probe("--model " + shellQuoted(threeLayers) + " --corpus " + shellQuoted(dir.file("docs")) +
                                " --label builtin:bracket-depth --layers 0,2 --no-l1-path --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(static_cast<long>(doc["units_scored"]) + static_cast<long>(doc["units_unscored"]), 5 + 7);
  for (const auto& u : doc["ranking"]) EXPECT_NE(u["layer"], 1) << u;
  std::vector<std::string> probed;
  for (const auto& c : doc["curve"]) {
    probed.push_back(c["layer"].dump());
    const long expected = c["layer"] == "all" ? 5 + 7 : c["layer"] == 0 ? 5 : 7;  // layers 0 and 2 only
    EXPECT_EQ(c["features"], expected) << c;
  }
  EXPECT_EQ(probed, (std::vector<std::string>{"0", "2", "\"all\""}));
}

TEST_F(ProbeCli, DrawsTheStrongestUnitsAsAFigure) {
  for (const char* suffix : {".png", ".svg", ".pdf"}) {
    const std::string out = dir.file(std::string("r") + suffix);
    const CommandResult r = probe("--trace " + shellQuoted(trace) +
                                  " --label builtin:bracket-depth --quantity c,o --out " + shellQuoted(out));
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string bytes = slurp(out);
    const std::string magic = std::string(suffix) == ".png"   ? "\x89PNG"
                              : std::string(suffix) == ".pdf" ? "%PDF"
                                                              : "<?xml";
    EXPECT_EQ(bytes.substr(0, magic.size()), magic) << suffix;
  }
}

// A regular expression with a group labels the tokens its text overlaps with that text (docs/PROBES.md):
// "bc" and "b)" give "b", "a)" gives "a", everything else "-".
// --figure draws the dock's other charts: the probing curve and the best probe's L1 path (the SVG's title
// says which chart it is); it goes only with a figure output and with what it draws.
TEST_F(ProbeCli, DrawsTheProbingCurveAndTheL1Path) {
  const std::string base = "--trace " + shellQuoted(trace) + " --label builtin:bracket-depth --quantity c,o";
  const std::pair<const char*, const char*> figures[] = {
      {"curve", "<title>Probing curve for builtin:bracket-depth: test R\u00b2 per layer"},
      {"l1-path", "<title>L1 path for builtin:bracket-depth, "}};
  for (const auto& [figure, title] : figures) {
    const std::string out = dir.file(std::string(figure) + ".svg");
    const CommandResult r = probe(base + " --figure " + figure + " --out " + shellQuoted(out));
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(slurp(out), title)) << figure << ": " << slurp(out).substr(0, 600);
  }
  const std::pair<const char*, const char*> refused[] = {
      {" --figure curve --out r.json", "--figure chooses what a .png, .svg or .pdf shows"},
      {" --figure curve --probe none --out r.png", "does not go with --probe none"},
      {" --figure l1-path --no-l1-path --out r.png", "does not go with --no-l1-path"},
      {" --figure bars --out r.png", "--figure must be ranking, curve or l1-path, not 'bars'"}};
  for (const auto& [args, message] : refused) {
    const CommandResult r = probe(base + args);
    EXPECT_EQ(r.exitCode, 2) << args;
    EXPECT_TRUE(contains(r.output, message)) << r.output;
  }
}

TEST_F(ProbeCli, ARegexWithAGroupGivesItsTextAsCategories) {
  const std::string out = dir.file("g.json");
  const CommandResult r =
      probe("--trace " + shellQuoted(trace) + " --label 'regex:([ab])[c)]' --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(doc["label_kind"], "categorical");
  EXPECT_EQ(doc["metric"], "auc");
  EXPECT_EQ(doc["categories"], (std::vector<std::string>{"-", "b", "a"}));
  ASSERT_FALSE(doc["ranking"].empty());
  EXPECT_TRUE(doc["ranking"][0].contains("category"));
}

TEST_F(ProbeCli, CategoriesFromALabelFile) {
  const std::string labels = dir.file("pos.tsv"), out = dir.file("c.json");
  {
    std::ofstream f(labels);
    const std::string kinds[] = {"letter", "space", "bracket"};
    for (int t = 0; t < 36; ++t) f << "tok\t" << kinds[t % 3] << "\n";
  }
  const CommandResult r =
      probe("--trace " + shellQuoted(trace) + " --label file:" + shellQuoted(labels) + " --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(doc["label_kind"], "categorical");
  EXPECT_EQ(doc["categories"], nlohmann::json({"letter", "space", "bracket"}));
  EXPECT_EQ(doc["metric"], "auc");
  EXPECT_EQ(doc["probe"]["kind"], "logistic");
  EXPECT_EQ(doc["probe"]["coefficients"].size(), 3u);
  for (const auto& u : doc["ranking"]) EXPECT_TRUE(u.contains("category"));
}

TEST_F(ProbeCli, UsageAndInputErrorsAreNamed) {
  const std::string t = "--trace " + shellQuoted(trace) + " ";
  const std::string out = " --out " + shellQuoted(dir.file("e.json"));
  std::ofstream(dir.file("short.txt")) << "1\n2\n";
  std::ofstream(dir.file("l.json")) << "1\n";
  const struct {
    std::string args;
    int exit;
    std::string message;
  } cases[] = {
      {t + "--label builtin:depth" + out, 2, "--label: unknown builtin 'depth' (bracket-depth, paren-depth"},
      {t + "--label 'regex:(('" + out, 2, "--label: the regular expression '((' is invalid"},
      {t + "--label nonsense" + out, 2, "--label must be builtin:NAME, regex:PATTERN, file:LABELS.tsv or meta:NAME"},
      {"--model " + shellQuoted(model) + " --text ab --label meta:depth" + out, 2,
       "--label meta:NAME reads a meta track of a trace"},
      {t + "--model " + shellQuoted(model) + " --label builtin:quote" + out, 2,
       "--trace reads recorded values: --model does not apply"},
      {"--label builtin:quote" + out, 2, "give --trace TRACE.h5, or --model MODEL with an input"},
      {t + "--label builtin:quote --quantity x" + out, 2, "--quantity must be all or a list of i, f, g, o, c, h"},
      {t + "--label builtin:quote --layers 0,0" + out, 2, "--layers names 0 twice"},
      {t + "--label builtin:quote --probe svm" + out, 2, "--probe must be logistic, ridge or none"},
      {t + "--label builtin:bracket-depth --metric iou" + out, 2, "--metric iou does not apply to the scalar label"},
      {t + "--label builtin:bracket-depth --probe logistic" + out, 2,
       "--probe logistic needs a 0/1 or categorical label"},
      {t + "--label builtin:quote --alpha 0" + out, 2, "--alpha must be a finite number > 0"},
      {t + "--label builtin:quote --penalty l3" + out, 2, "--penalty must be l2 or l1, not 'l3'"},
      {t + "--label builtin:quote --probe none --no-l1-path" + out, 2,
       "--probe none trains no probe: --penalty and --no-l1-path do not apply"},
      {t + "--label builtin:quote --out r.txt", 2, "--out must end in .json, .csv, .png, .svg or .pdf"},
      {t + "--label file:" + shellQuoted(dir.file("l.json")) + " --out " + shellQuoted(dir.file("l.json")), 2,
       "is also an input; writing it would destroy"},
      {t + "--label meta:nothing" + out, 3, "has no meta track 'nothing'"},
      {t + "--label file:" + shellQuoted(dir.file("short.txt")) + out, 3,
       "has 2 labels, but the input has 36 steps and 3 documents"},
      {t + "--label builtin:quote --layers 5" + out, 3, "there is no layer 5 (the model has 2)"},
      {t + "--label builtin:quote --quantity i" + out, 3, "does not record the quantity i"},
  };
  for (const auto& c : cases) {
    const CommandResult r = probe(c.args);
    EXPECT_EQ(r.exitCode, c.exit) << c.args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, c.message)) << c.args << "\n" << r.output;
  }
  // More memory than allowed: refused before anything is read, naming the budget.
  const CommandResult big = runCommand("LSTMSCOPE_MEMORY_LIMIT_MB=0.001 " + shellQuoted(LSTMSCOPE_CLI) + " probe " + t +
                                       "--label builtin:quote" + out);
  EXPECT_EQ(big.exitCode, 3) << big.output;
  EXPECT_TRUE(contains(big.output, "more than the 0.0 GB allowed")) << big.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("e.json")));
}

TEST_F(ProbeCli, HelpListsTheBuiltinLabels) {
  const CommandResult r = probe("--help");
  EXPECT_EQ(r.exitCode, 0);
  for (const char* name :
       {"bracket-depth", "quote", "comment", "indent", "line-position", "newline-distance", "word-boundary"})
    EXPECT_TRUE(contains(r.output, std::string("\n  ") + name + " ")) << name;
}

}  // namespace
}  // namespace lstmscope::test
