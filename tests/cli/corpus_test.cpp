// lstmscope-cli record on a corpus (docs/CLI.md "Corpora"): a folder, a .jsonl file or repeated --text-file;
// every document as if recorded alone, its name and boundaries in the trace; bad corpora named.
#include <gtest/gtest.h>

#include <fstream>

#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    saveNativeModel(smallCharModel(), model);
    std::filesystem::create_directory(folder);
    write(folder + "/b.txt", "(a b)\nc");
    write(folder + "/a.txt", "abc (ab)");
    write(folder + "/c_empty.txt", "");
    write(folder + "/.hidden", "a");
    std::filesystem::create_directory(folder + "/sub");  // not a document
  }
  static void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
  // The trace of one text recorded alone.
  TraceReader alone(const std::string& text, const std::string& name) {
    const std::string file = dir.file(name + ".txt"), trace = dir.file(name + ".alone.h5");
    write(file, text);
    const CommandResult r = runCli("record --model " + shellQuoted(model) + " --text-file " + shellQuoted(file) +
                                   " --out " + shellQuoted(trace));
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return TraceReader(trace);
  }
  ScratchDir dir{"cli_corpus"};
  std::string model = dir.file("model.h5"), folder = dir.file("docs"), out = dir.file("t.h5");
};

TEST_F(Corpus, AFolderIsRecordedDocumentByDocumentInNameOrder) {
  for (const std::string batch : {"1", "16"}) {
    const CommandResult r = runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(folder) +
                                   " --batch " + batch + " --out " + shellQuoted(out));
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "15 steps in 3 documents")) << r.output;
    const TraceReader trace(out);
    EXPECT_EQ(trace.documentNames(), (std::vector<std::string>{"a.txt", "b.txt", "c_empty.txt"}));
    EXPECT_EQ(trace.documentOffsets(), (std::vector<int64_t>{0, 8, 15, 15}));
    // Each document's states are those of the document recorded alone, from a zero state.
    const std::pair<std::string, long> docs[] = {{"abc (ab)", 0}, {"(a b)\nc", 8}};
    for (const auto& [text, start] : docs) {
      const TraceReader single = alone(text, "doc" + std::to_string(start));
      const long n = single.steps();
      for (Quantity quantity : {Quantity::C, Quantity::H, Quantity::F})
        for (int l = 0; l < 2; ++l)
          EXPECT_LE((trace.read(l, 0, quantity, start, n) - single.read(l, 0, quantity, 0, n)).cwiseAbs().maxCoeff(),
                    1e-6)
              << text;
      EXPECT_LE((trace.probs().middleCols(start, n) - single.probs()).cwiseAbs().maxCoeff(), 1e-6);
    }
    const std::vector<std::string> text = trace.tokenText();
    EXPECT_EQ(std::string(text[8]), "(");
  }
  const CommandResult info = runCli("info " + shellQuoted(out));
  EXPECT_TRUE(contains(info.output, "steps: 15\ndocuments: 3\n")) << info.output;
}

TEST_F(Corpus, JsonLinesAndRepeatedTextFilesAreCorporaToo) {
  const std::string jsonl = dir.file("c.jsonl");
  write(jsonl, "{\"text\": \"ab\", \"name\": \"first\"}\n\n{\"text\": \"c (a)\"}\n");
  ASSERT_EQ(
      runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(jsonl) + " --out " + shellQuoted(out))
          .exitCode,
      0);
  TraceReader trace(out);
  EXPECT_EQ(trace.documentNames(), (std::vector<std::string>{"first", "c.jsonl:3"}));
  EXPECT_EQ(trace.documentOffsets(), (std::vector<int64_t>{0, 2, 7}));

  const CommandResult files =
      runCli("record --model " + shellQuoted(model) + " --text-file " + shellQuoted(folder + "/b.txt") +
             " --text-file " + shellQuoted(folder + "/a.txt") + " --out " + shellQuoted(out));
  ASSERT_EQ(files.exitCode, 0) << files.output;
  trace = TraceReader(out);
  EXPECT_EQ(trace.documentNames(), (std::vector<std::string>{folder + "/b.txt", folder + "/a.txt"}));
  EXPECT_EQ(trace.documentOffsets(), (std::vector<int64_t>{0, 7, 15}));

  // One --text-file is a single text, as before: no document table.
  ASSERT_EQ(runCli("record --model " + shellQuoted(model) + " --text-file " + shellQuoted(folder + "/a.txt") +
                   " --out " + shellQuoted(out))
                .exitCode,
            0);
  trace = TraceReader(out);
  EXPECT_EQ(trace.documents(), 1);
  EXPECT_EQ(trace.documentNames(), std::vector<std::string>{""});
}

TEST_F(Corpus, Float16HalvesTheStoredValues) {
  ASSERT_EQ(
      runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(folder) + " --out " + shellQuoted(out))
          .exitCode,
      0);
  const std::string half = dir.file("half.h5");
  const CommandResult r = runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(folder) +
                                 " --precision float16 --out " + shellQuoted(half));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const TraceReader full(out), small(half);
  const Mat<float> c = full.read(1, 0, Quantity::C, 0, full.steps());
  EXPECT_EQ(small.read(1, 0, Quantity::C, 0, small.steps()),
            c.unaryExpr([](float v) { return static_cast<float>(Eigen::half(v)); }));
}

// A document too short for the windows of the model's front end is kept with no step, as an empty one is, and
// said; the other documents are recorded as if alone.
TEST_F(Corpus, ADocumentTooShortForTheFrontEndIsKeptWithNoStepAndSaid) {
  saveNativeModel(smallTextFrontEndModel(2), model);
  const std::string jsonl = dir.file("windows.jsonl");
  write(jsonl,
        "{\"text\": \"abcab\", \"name\": \"five\"}\n{\"text\": \"a\", \"name\": \"one\"}\n"
        "{\"text\": \"cccc\", \"name\": \"four\"}\n");
  const CommandResult r =
      runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(jsonl) + " --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(
      r.output.find("note: " + jsonl +
                    ": line 2: the model's front end reads windows of tokens (embedding (Embedding, 3 tokens of "
                    "width 3) → conv1d (Conv1D, 4 filters, kernel 2, stride 2, valid, relu)): it needs at least 2 "
                    "tokens, and the text has 1; recorded as a document of no step"),
      std::string::npos)
      << r.output;
  TraceReader trace(out);
  EXPECT_EQ(trace.documentNames(), (std::vector<std::string>{"five", "one", "four"}));
  EXPECT_EQ(trace.documentOffsets(), (std::vector<int64_t>{0, 2, 2, 4}));  // 5 characters give 2 steps, 4 give 2
  EXPECT_EQ(trace.tokenText(), (std::vector<std::string>{"ab", "ca", "cc", "cc"}));
  // Those texts overlap step by step: labels computed from the text would count tokens twice, so they are
  // refused, when recording and when probing, and a label per step is asked for instead.
  EXPECT_TRUE(trace.stepsReadTokenWindows());
  const std::string perToken = "is computed from the text token by token, and each step of this input reads a window";
  const CommandResult meta = runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(jsonl) +
                                    " --meta depth=builtin:bracket-depth --out " + shellQuoted(dir.file("m.h5")));
  EXPECT_EQ(meta.exitCode, 3);
  EXPECT_NE(meta.output.find("--meta depth: builtin:bracket-depth " + perToken), std::string::npos) << meta.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
  const CommandResult probe = runCli("probe --trace " + shellQuoted(out) + " --label 'regex:a' --probe none --out " +
                                     shellQuoted(dir.file("p.json")));
  EXPECT_EQ(probe.exitCode, 3);
  EXPECT_NE(probe.output.find("regex:a " + perToken), std::string::npos) << probe.output;
}

TEST_F(Corpus, BadCorporaAreNamed) {
  const std::string empty = dir.file("empty"), bad = dir.file("bad.jsonl"), noText = dir.file("notext.jsonl");
  std::filesystem::create_directory(empty);
  write(bad, "{\"text\": \"ab\"}\n{\"text\": \n");
  write(noText, "{\"name\": \"x\"}\n");
  const std::string record = "record --model " + shellQuoted(model) + " --out " + shellQuoted(out) + " ";
  const struct {
    std::string args;
    int exitCode;
    std::string message;
  } cases[] = {
      {"--corpus " + shellQuoted(empty), 3, "empty: the folder holds no document (no regular file)"},
      {"--corpus " + shellQuoted(bad), 3, "bad.jsonl: line 2: not JSON (the error is at byte 10 of the line)"},
      {"--corpus " + shellQuoted(noText), 3, "notext.jsonl: line 1: not an object with a \"text\" string"},
      {"--corpus " + shellQuoted(dir.file("missing")), 3, "missing: no such file"},
      {"--corpus " + shellQuoted(folder) + " --max-steps 10", 3,
       "b.txt: the text has more than 2 tokens, the limit (the corpus may have 10 in all; raise it with --max-steps)"},
      {"--corpus " + shellQuoted(folder) + " --text abc", 2,
       "give exactly one of --text, --text-file or --csv, or a corpus"},
      {"--corpus ''", 2, "--corpus is empty"},
      {"--corpus " + shellQuoted(folder) + " --precision half", 2, "--precision must be float, double or float16"},
  };
  for (const auto& c : cases) {
    const CommandResult r = runCli(record + c.args);
    EXPECT_EQ(r.exitCode, c.exitCode) << c.args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, c.message)) << c.args << "\n" << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << c.args;
  }
}

// A model of numeric features reads a folder of CSV tables, one document each.
TEST_F(Corpus, AFolderOfTablesForAModelOfFeatures) {
  const std::string numeric = dir.file("numeric.h5"), tables = dir.file("tables");
  saveNativeModel(smallFeatureModel(3), numeric);
  std::filesystem::create_directory(tables);
  write(tables + "/1.csv", "a,b,c\n1,2,3\n4,5,6\n");
  write(tables + "/2.csv", "7,8,9\n");
  const CommandResult r = runCli("record --model " + shellQuoted(numeric) + " --corpus " + shellQuoted(tables) +
                                 " --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const TraceReader trace(out);
  EXPECT_EQ(trace.documentOffsets(), (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(trace.logits().cols(), 2);  // a head reading each document's final state: one row each
}

// Meta tracks: built in (each document from its own start), from a regular expression (each document
// matched alone) or from a file of labels per token or per document; numbers or categories; stored in
// the trace and named by info.
TEST_F(Corpus, MetaTracksAreBuiltInOrReadFromLabels) {
  const std::string perDocument = dir.file("kind.tsv"), perToken = dir.file("weights.tsv");
  write(perDocument, "lib\napp\nempty\n");
  std::string weights;
  for (int t = 0; t < 15; ++t) weights += std::to_string(t * 0.5) + "\n";
  write(perToken, weights);
  const CommandResult r = runCli(
      "record --model " + shellQuoted(model) + " --corpus " + shellQuoted(folder) + " --out " + shellQuoted(out) +
      " --meta depth=builtin:bracket-depth --meta doc=builtin:document --meta kind=" + shellQuoted(perDocument) +
      " --meta weight=" + shellQuoted(perToken) + " --meta indent=builtin:indentation" +
      " --meta paren=regex:" + shellQuoted("\\([^)]*\\)") + " --meta border=regex:" + shellQuoted("\\)\\("));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const TraceReader trace(out);
  EXPECT_EQ(trace.metaNames(),
            (std::vector<std::string>{"border", "depth", "doc", "indent", "kind", "paren", "weight"}));
  EXPECT_EQ(trace.meta("paren").values, (std::vector<float>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(trace.meta("paren").source, "regex:\\([^)]*\\)");
  EXPECT_EQ(trace.meta("border").values, std::vector<float>(15, 0.0f)) << "a match across two documents";
  // a.txt "abc (ab)" then b.txt "(a b)\nc": depth restarts with each document.
  const std::vector<float> depth = {0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0};
  EXPECT_EQ(trace.meta("depth").values, depth);
  EXPECT_EQ(trace.meta("depth").source, "builtin:bracket-depth");
  EXPECT_EQ(trace.meta("doc").values, (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}));
  const MetaTrack kind = trace.meta("kind");
  EXPECT_EQ(kind.categories, (std::vector<std::string>{"lib", "app"}));  // the empty document has no step
  EXPECT_EQ(kind.values, (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_FALSE(trace.meta("weight").categorical());
  EXPECT_EQ(trace.meta("weight").values[3], 1.5f);
  EXPECT_TRUE(
      contains(runCli("info " + shellQuoted(out)).output, "meta tracks: border depth doc indent kind paren weight\n"));

  const std::string bad = dir.file("bad.tsv");
  write(bad, "1\n2\n");
  const struct {
    std::string meta;
    int exitCode;
    std::string message;
  } cases[] = {
      {"k=" + shellQuoted(bad), 3, "bad.tsv: has 2 labels, but the input has 15 steps and 3 documents"},
      {"'k k=builtin:document'", 2, "--meta: the name 'k k' must be 1 to 64 letters, digits, '_' or '-'"},
      {"k=builtin:depth", 2, "--meta: unknown builtin 'depth'"},
      {"k", 2, "--meta must be NAME=builtin:WHAT, NAME=regex:PATTERN or NAME=FILE, not 'k'"},
      {"k=regex:" + shellQuoted("a(b"), 2, "--meta k: the regular expression 'a(b' is invalid: missing )"},
      {"k=regex:", 2, "--meta k=regex: needs a pattern after 'regex:'"},
      {"k=" + shellQuoted(dir.file("missing.tsv")), 3, "missing.tsv: no such file"},
  };
  for (const auto& c : cases) {
    std::filesystem::remove(out);
    const CommandResult e = runCli("record --model " + shellQuoted(model) + " --corpus " + shellQuoted(folder) +
                                   " --out " + shellQuoted(out) + " --meta " + c.meta);
    EXPECT_EQ(e.exitCode, c.exitCode) << c.meta << "\n" << e.output;
    EXPECT_TRUE(contains(e.output, c.message)) << c.meta << "\n" << e.output;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  const CommandResult twice = runCli("record --model " + shellQuoted(model) + " --text ab --out " + shellQuoted(out) +
                                     " --meta k=builtin:document --meta k=builtin:indentation");
  EXPECT_EQ(twice.exitCode, 2);
  EXPECT_TRUE(contains(twice.output, "--meta names the track 'k' twice")) << twice.output;
}

}  // namespace
}  // namespace lstmscope::test
