// lstmscope-cli match end to end: the JSON and CSV it writes, and its usage and input errors. (Its results
// are checked against an exhaustive implementation by tests/match/match_oracle.py.)
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/formats/native_model.h"
#include "tests/support/cli_runner.h"
#include "tests/support/files.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

class Match : public ::testing::Test {
 protected:
  void SetUp() override {
    saveNativeModel(smallCharModel(), model);
    std::filesystem::create_directory(dir.file("docs"));
    std::ofstream(dir.file("docs/one.txt")) << "ab (abc) ((a)) b";
    std::ofstream(dir.file("docs/two.txt")) << "(c) abc";
    const CommandResult r = runCli("record --model " + shellQuoted(model) + " --corpus " +
                                   shellQuoted(dir.file("docs")) + " --out " + shellQuoted(trace) + " --quiet");
    ASSERT_EQ(r.exitCode, 0) << r.output;
  }
  ScratchDir dir{"cli_match"};
  std::string model = dir.file("model.h5"), trace = dir.file("t.h5");
};

TEST_F(Match, WritesRankedRunsAsJsonAndCsv) {
  const std::string json = dir.file("m.json"), csv = dir.file("m.csv");
  const std::string query =
      "match --trace " + shellQuoted(trace) + " --quantity 0/fwd/o --units 0,1,2 --threshold 0.5 ";
  const CommandResult r = runCli(query + "--out " + shellQuoted(json));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(doc["steps"], 23);
  ASSERT_GT(doc["matches"].size(), 0u);
  EXPECT_GE(doc["candidates"].get<long>(), static_cast<long>(doc["matches"].size()));
  for (const auto& m : doc["matches"]) {
    const long start = m["start"], length = m["length"], document = m["document"];
    EXPECT_GE(length, 2);
    EXPECT_EQ(m["document_name"], document == 0 ? "one.txt" : "two.txt");
    EXPECT_TRUE(document == 0 ? start + length <= 16 : start >= 16) << "a run crosses a document border";
    EXPECT_EQ(m["text"].get<std::string>().size(), static_cast<size_t>(length));
    EXPECT_LE(m["intersection"].get<int>(), 3);
  }
  ASSERT_EQ(runCli(query + "--out " + shellQuoted(csv)).exitCode, 0);
  const std::string table = slurp(csv);
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "rank,start,length,document,document_name,intersection,union,units,text");
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), static_cast<long>(doc["matches"].size()) + 1);
}

TEST_F(Match, UsageAndInputErrorsAreNamed) {
  const std::string base = "match --trace " + shellQuoted(trace) + " --out " + shellQuoted(dir.file("m.json")) + " ";
  const struct {
    std::string args;
    int exitCode;
    std::string message;
  } cases[] = {
      {"--quantity 0/fwd/c --units 1,x", 2, "--units must be unit numbers separated by commas, not '1,x'"},
      {"--quantity 0/fwd/c --units 1,1", 2, "--units names unit 1 twice"},
      {"--quantity 0/up/c --units 1", 2, "--quantity must look like 0/fwd/c"},
      {"--quantity 0/fwd/c --units 1 --transform log", 2, "--transform must be tanh or raw"},
      {"--quantity 0/fwd/c --units 1 --threshold nan", 2, "--threshold must be a finite number"},
      {"--quantity 0/fwd/c --units 1 --phrase-length 0", 2, "--phrase-length must be 1.."},
      {"--quantity 7/fwd/c --units 1", 3, "the trace has no layer 7"},
      {"--quantity 0/bwd/c --units 1", 3, "the trace does not record 0/bwd/c"},
      {"--quantity 0/fwd/c --units 99", 3, "--units: unit 99 does not exist (layer 0 has 5 units)"},
  };
  for (const auto& c : cases) {
    const CommandResult r = runCli(base + c.args);
    EXPECT_EQ(r.exitCode, c.exitCode) << c.args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, c.message)) << c.args << "\n" << r.output;
  }
  const CommandResult model = runCli("match --trace " + shellQuoted(this->model) +
                                     " --quantity 0/fwd/c --units 1 --out " + shellQuoted(dir.file("m.json")));
  EXPECT_EQ(model.exitCode, 3);
  EXPECT_TRUE(contains(model.output, "not an LSTMScope trace file")) << model.output;
  const CommandResult txt = runCli("match --trace " + shellQuoted(trace) + " --quantity 0/fwd/c --units 1 --out x.txt");
  EXPECT_EQ(txt.exitCode, 2);
  EXPECT_TRUE(contains(txt.output, "--out must end in .json or .csv")) << txt.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.json")));
}

// The trace's match index answers default queries with exactly what a scan of the stored values gives,
// also when they are stored in half precision (the index is built from the rounded values).
TEST_F(Match, TheIndexAgreesWithTheScan) {
  const std::string half = dir.file("half.h5");
  ASSERT_EQ(runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(dir.file("docs")) +
                   " --precision float16 --out " + shellQuoted(half) + " --quiet")
                .exitCode,
            0);
  for (const std::string& t : {trace, half})
    for (const std::string quantity : {"0/fwd/c", "1/fwd/o", "1/fwd/h"})
      for (const std::string units : {"0", "0,2", "1,2,3,4"}) {
        const std::string query =
            "match --trace " + shellQuoted(t) + " --quantity " + quantity + " --units " + units + " --top 1000 ";
        const CommandResult indexed = runCli(query + "--out " + shellQuoted(dir.file("a.json")));
        const CommandResult scanned = runCli(query + "--no-index --out " + shellQuoted(dir.file("b.json")));
        ASSERT_EQ(indexed.exitCode, 0) << indexed.output;
        EXPECT_TRUE(contains(indexed.output, "(from the trace's match index)")) << indexed.output;
        EXPECT_TRUE(contains(scanned.output, "(scanning the values)")) << scanned.output;
        EXPECT_EQ(slurp(dir.file("a.json")), slurp(dir.file("b.json"))) << t << " " << quantity << " " << units;
      }
  // Another threshold than the index's is scanned.
  const CommandResult other =
      runCli("match --trace " + shellQuoted(trace) + " --quantity 0/fwd/c --units 1 --threshold 0.5 --out " +
             shellQuoted(dir.file("c.json")));
  EXPECT_TRUE(contains(other.output, "(scanning the values)")) << other.output;
}

}  // namespace
}  // namespace lstmscope::test
