// lstmscope-cli end to end: exit codes 0/2/3 and messages that name the file and the problem.
#include <gtest/gtest.h>

#include <fstream>

#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

const std::string kCli = LSTMSCOPE_CLI;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { saveNativeModel(smallCharModel(), model); }
  ScratchDir dir{"cli"};
  std::string model = dir.file("model.h5");
};

TEST_F(Cli, HelpForEveryCommand) {
  for (const std::string c : {"info", "convert", "record", "train", "attribute"}) {
    const CommandResult r = runCli(c + " --help");
    EXPECT_EQ(r.exitCode, 0) << c;
    EXPECT_TRUE(contains(r.output, "usage: lstmscope-cli " + c)) << r.output;
  }
  EXPECT_EQ(runCli("--help").exitCode, 0);
  EXPECT_EQ(runCli("").exitCode, 2);
}

// --version names the kernel of batched steps (docs/ENGINE.md "Batched steps"): OpenBLAS on the test machine,
// Eigen when the user asks for it.
TEST_F(Cli, VersionNamesTheMatrixProductKernel) {
  const CommandResult r = runCli("--version");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_TRUE(contains(r.output, "batched steps' matrix product: OpenBLAS")) << r.output;
  const CommandResult eigen = runCommand("LSTMSCOPE_GEMM=eigen " + shellQuoted(LSTMSCOPE_CLI) + " --version");
  EXPECT_TRUE(contains(eigen.output, "batched steps' matrix product: Eigen (LSTMSCOPE_GEMM=eigen)")) << eigen.output;
}

TEST_F(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(runCli("frobnicate").exitCode, 2);
  const CommandResult r = runCli("record --model " + shellQuoted(model) + " --out x.h5");
  EXPECT_EQ(r.exitCode, 2);
  // record also reads audio for streaming graphs, and says so; attribute does not.
  EXPECT_TRUE(contains(r.output, "give exactly one of --text, --text-file, --csv or --wav")) << r.output;
  const CommandResult a = runCli("attribute --model " + shellQuoted(model) + " --method ig");
  EXPECT_EQ(a.exitCode, 2);
  EXPECT_TRUE(contains(a.output, "give exactly one of --text, --text-file or --csv")) << a.output;
  EXPECT_EQ(runCli("info " + shellQuoted(model) + " --bogus").exitCode, 2);
  EXPECT_EQ(runCli("record --model m --text a --out o --quantities i,z").exitCode, 2);
  // Writing the trace over the model would destroy it.
  const CommandResult self = runCli("record --model " + shellQuoted(model) + " --text ab --out " + shellQuoted(model));
  EXPECT_EQ(self.exitCode, 2);
  EXPECT_TRUE(contains(self.output, "is also an input")) << self.output;
  EXPECT_NO_THROW(loadNativeModel(model));
}

TEST_F(Cli, InfoDescribesTheModel) {
  const CommandResult r = runCli("info " + shellQuoted(model));
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "lstm 1: 6 units")) << r.output;
  EXPECT_TRUE(contains(r.output, "vocabulary 8")) << r.output;
  // --model as every other command takes it; not both ways at once.
  const CommandResult named = runCli("info --model " + shellQuoted(model));
  EXPECT_EQ(named.exitCode, 0) << named.output;
  EXPECT_EQ(named.output, r.output);
  const CommandResult both = runCli("info " + shellQuoted(model) + " --model " + shellQuoted(model));
  EXPECT_EQ(both.exitCode, 2) << both.output;
  EXPECT_TRUE(contains(both.output, "give the model once: as MODEL or as --model MODEL")) << both.output;
}

TEST_F(Cli, RecordWritesATraceThatMatchesTheContract) {
  const std::string out = dir.file("trace.h5");
  const CommandResult r = runCli("record --model " + shellQuoted(model) + " --text 'ab (c)' --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const TraceReader t(out);
  EXPECT_EQ(t.steps(), 6);
  EXPECT_EQ(t.tokenText(), (std::vector<std::string>{"a", "b", " ", "(", "c", ")"}));
  for (Quantity q : {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H})
    EXPECT_TRUE(t.has(1, 0, q)) << quantityName(q);
  EXPECT_EQ(t.probs().rows(), 8);
  EXPECT_NEAR(t.probs().col(2).sum(), 1.0, 1e-5);
  const CommandResult info = runCli("info " + shellQuoted(out));
  EXPECT_EQ(info.exitCode, 0);
  EXPECT_TRUE(contains(info.output, "steps: 6")) << info.output;
  EXPECT_TRUE(contains(info.output, "layer 1: 6 units, fwd, recorded i f g o c h")) << info.output;
  // A byte-order mark at the start of a file is not a character of the text.
  const std::string bom = dir.file("bom.txt");
  std::ofstream(bom, std::ios::binary) << "\xEF\xBB\xBF"
                                       << "ab";
  ASSERT_EQ(
      runCli("record --model " + shellQuoted(model) + " --text-file " + shellQuoted(bom) + " --out " + shellQuoted(out))
          .exitCode,
      0);
  EXPECT_EQ(TraceReader(out).steps(), 2);
}

TEST_F(Cli, BadInputExitsWithThreeAndNamesFileAndProblem) {
  const std::string out = dir.file("t.h5");
  const std::string textFile = dir.file("latin1.txt");
  std::ofstream(textFile, std::ios::binary) << "ab\xe9";
  struct Case {
    std::string args, expected;
  } cases[] = {
      {"info " + shellQuoted(dir.file("missing.h5")), "missing.h5: no such file"},
      {"info " + shellQuoted(textFile), "latin1.txt: not an HDF5 file"},
      {"record --model " + shellQuoted(model) + " --text '' --out " + shellQuoted(out), "--text: the text is empty"},
      {"record --model " + shellQuoted(model) + " --text-file " + shellQuoted(textFile) + " --out " + shellQuoted(out),
       "latin1.txt: not valid UTF-8: bad byte 0xE9 at offset 2"},
      {"record --model " + shellQuoted(model) + " --csv " + shellQuoted(textFile) + " --out " + shellQuoted(out),
       "the model reads text, not numeric features"},
      {"record --model " + shellQuoted(model) + " --text abc --max-steps 2 --out " + shellQuoted(out),
       "--text: the text has more than 2 tokens, the limit (raise it with --max-steps)"},
      {"record --model " + shellQuoted(model) + " --text ab --out " + shellQuoted(dir.file("no/such/dir/t.h5")),
       "cannot create the file"},
  };
  for (const Case& c : cases) {
    const CommandResult r = runCli(c.args);
    EXPECT_EQ(r.exitCode, 3) << c.args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, c.expected)) << c.args << "\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(Cli, RecordsNumericSequencesFromCsvInDoublePrecision) {
  Architecture a;
  a.name = "forecaster";
  a.task = Task::Regression;
  a.inputKind = InputKind::Features;
  a.featureDim = 3;
  a.layers = {{4, true, GateActivation::HardSigmoid, CellActivation::Tanh}};
  a.head = HeadSpec{{}, HeadActivation::Linear, HeadReads::EachStep, {}, {}, 0};
  const std::string features = dir.file("features.h5"), csv = dir.file("steps.csv"), out = dir.file("t.h5");
  saveNativeModel(initialiseModel(a, {0, {}, 1}, 5), features);
  std::ofstream(csv) << "a,b,c\n0.5,1,-2\n0,0,0\n3,2,1\n1e-3,-0.5,2.5\n";
  const CommandResult r = runCli("record --model " + shellQuoted(features) + " --csv " + shellQuoted(csv) +
                                 " --precision double --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const TraceReader t(out);
  EXPECT_EQ(t.steps(), 4);
  EXPECT_EQ(t.directions(0), 2);
  EXPECT_EQ(t.logits().cols(), 4);
  // The same run in float agrees to float precision.
  ASSERT_EQ(runCli("record --model " + shellQuoted(features) + " --csv " + shellQuoted(csv) + " --out " +
                   shellQuoted(dir.file("f.h5")))
                .exitCode,
            0);
  EXPECT_LE((TraceReader(dir.file("f.h5")).read(0, 1, Quantity::C, 0, 4) - t.read(0, 1, Quantity::C, 0, 4))
                .cwiseAbs()
                .maxCoeff(),
            1e-6);
  const CommandResult text =
      runCli("record --model " + shellQuoted(features) + " --text abc --out " + shellQuoted(out));
  EXPECT_EQ(text.exitCode, 3);
  EXPECT_TRUE(contains(text.output, "the model reads numeric features, not text")) << text.output;
  EXPECT_EQ(t.tokenText(), (std::vector<std::string>{"0", "1", "2", "3"}));  // steps named by number
  // A date column labels the steps (/token_text) and does not feed the model: the same states as before.
  const std::string dated = dir.file("dated.csv"), datedOut = dir.file("d.h5");
  std::ofstream(dated) << "day,a,b,c\nMon,0.5,1,-2\nTue,0,0,0\nWed,3,2,1\nThu,1e-3,-0.5,2.5\n";
  ASSERT_EQ(runCli("record --model " + shellQuoted(features) + " --csv " + shellQuoted(dated) +
                   " --label-column day --precision double --out " + shellQuoted(datedOut))
                .exitCode,
            0);
  const TraceReader d(datedOut);
  EXPECT_EQ(d.tokenText(), (std::vector<std::string>{"Mon", "Tue", "Wed", "Thu"}));
  EXPECT_EQ(d.read(0, 1, Quantity::C, 0, 4), t.read(0, 1, Quantity::C, 0, 4));
}

// A reverse layer (ONNX direction "reverse", Keras go_backwards) is recorded under its one direction's
// name, bwd, with the states a forward pass in double gives; `info` names it.
TEST_F(Cli, ReverseLayersAreRecordedAsBwd) {
  Architecture a;
  a.inputKind = InputKind::Features;
  a.featureDim = 2;
  LayerSpec reverse{3, false, GateActivation::Sigmoid, CellActivation::Tanh};
  reverse.reverse = true;
  a.layers = {reverse, {4, false, GateActivation::Sigmoid, CellActivation::Tanh}};
  a.head = HeadSpec{{}, HeadActivation::Linear, HeadReads::EachStep, {}, {}, 0};
  const std::string model = dir.file("reverse.h5"), csv = dir.file("steps.csv"), out = dir.file("t.h5");
  const Model m = initialiseModel(a, {0, {}, 1}, 7);
  saveNativeModel(m, model);
  std::ofstream(csv) << "0.5,1\n0,-1\n3,2\n1e-3,-0.5\n2,2\n";
  const CommandResult r = runCli("record --model " + shellQuoted(model) + " --csv " + shellQuoted(csv) +
                                 " --precision double --out " + shellQuoted(out));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const TraceReader t(out);
  ASSERT_EQ(t.directions(0), 1);
  EXPECT_EQ(t.directionName(0, 0), "bwd");
  EXPECT_EQ(t.directionName(1, 0), "fwd");
  Inputs<double> in;
  in.steps = 5;
  in.features.resize(2, 5);
  in.features << 0.5, 0, 3, 1e-3, 2, 1, -1, 2, -0.5, 2;
  Tape<double> tape;
  forward(m.cast<double>(), in, tape);
  EXPECT_LE((t.read(0, 0, Quantity::H, 0, 5).cast<double>() - tape.layers[0][0].h).cwiseAbs().maxCoeff(), 1e-7);
  // The first step of a reverse layer sees the whole sequence: it is not the state after one step.
  EXPECT_GT((tape.layers[0][0].h.col(4) - tape.layers[0][0].h.col(0)).cwiseAbs().maxCoeff(), 1e-3);
  const CommandResult info = runCli("info " + shellQuoted(out));
  EXPECT_TRUE(contains(info.output, "layer 0: 3 units, bwd")) << info.output;
  EXPECT_TRUE(contains(runCli("info " + shellQuoted(model)).output, "reverse (last step first)"));
}

TEST_F(Cli, InputsTooLongForMemoryAreRefusedUpFront) {
  const std::string bidi = dir.file("bidi.h5"), text = dir.file("long.txt");
  saveNativeModel(smallCharModel(2, true), bidi);
  std::ofstream(text) << std::string(20000, 'a');
  const std::string args = "record --model " + shellQuoted(bidi) + " --text-file " + shellQuoted(text) + " --out " +
                           shellQuoted(dir.file("t.h5"));
  const CommandResult r = runCommand("LSTMSCOPE_MEMORY_LIMIT_MB=1 " + shellQuoted(kCli) + " " + args);
  EXPECT_EQ(r.exitCode, 3) << r.output;
  EXPECT_TRUE(contains(r.output, "cut the input into more segments with --batch")) << r.output;
  EXPECT_EQ(runCommand("LSTMSCOPE_MEMORY_LIMIT_MB=1 " + shellQuoted(kCli) + " " + args + " --batch 40").exitCode, 0);
}

TEST_F(Cli, UnknownCharacterWithoutUnkIsNamed) {
  Model m = smallCharModel();
  m.arch.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c", " ", "\n", "(", ")", "."});
  const std::string noUnk = dir.file("nounk.h5");
  saveNativeModel(m, noUnk);
  const CommandResult r =
      runCli("record --model " + shellQuoted(noUnk) + " --text 'abz' --out " + shellQuoted(dir.file("t.h5")));
  EXPECT_EQ(r.exitCode, 3);
  EXPECT_TRUE(contains(r.output, "character 'z' at line 1, column 3 is not in the model's vocabulary")) << r.output;
}

TEST_F(Cli, ConvertRoundTripsAndTrainWritesAModel) {
  const std::string copy = dir.file("copy.h5");
  ASSERT_EQ(runCli("convert " + shellQuoted(model) + " --out " + shellQuoted(copy)).exitCode, 0);
  EXPECT_EQ(loadNativeModel(copy).params.head.weight, loadNativeModel(model).params.head.weight);

  const std::string text = dir.file("corpus.txt");
  {
    std::ofstream t(text);
    for (int k = 0; k < 200; ++k) t << "(()(()))\n";
  }
  const std::string trained = dir.file("trained.h5");
  const CommandResult r = runCli("train --text-file " + shellQuoted(text) + " --out " + shellQuoted(trained) +
                                 " --layers 1 --hidden 8 --epochs 2 --batch 4 --bptt 16 --quiet --threads 1");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "epoch 2: train loss")) << r.output;
  EXPECT_EQ(loadNativeModel(trained).arch.vocab.size(), 3);
  const CommandResult bad =
      runCli("train --text-file " + shellQuoted(text) + " --out " + shellQuoted(trained) + " --lr -1");
  EXPECT_EQ(bad.exitCode, 2) << bad.output;  // a usage error, naming the option
  EXPECT_TRUE(contains(bad.output, "--lr must be a number > 0, not '-1'")) << bad.output;

  // Resuming continues from the trained weights: its first epoch starts where the last one ended.
  const std::string resumed = dir.file("resumed.h5");
  const CommandResult more =
      runCli("train --text-file " + shellQuoted(text) + " --out " + shellQuoted(resumed) + " --resume " +
             shellQuoted(trained) + " --epochs 1 --batch 4 --bptt 16 --quiet --threads 1");
  ASSERT_EQ(more.exitCode, 0) << more.output;
  auto trainLoss = [](const std::string& out, const std::string& epoch) {
    const std::string key = "epoch " + epoch + ": train loss ";
    return std::stod(out.substr(out.find(key) + key.size()));
  };
  EXPECT_LT(trainLoss(more.output, "1"), trainLoss(r.output, "1"));
  EXPECT_EQ(loadNativeModel(resumed).arch.layers[0].hidden, 8);
}

}  // namespace
}  // namespace lstmscope::test
