// PyTorch checkpoints and safetensors against PyTorch itself: models written the way users write them
// (tests/foreign/make_torch_files.py), saved every way PyTorch saves them, must give the outputs of the
// model's own forward; hostile and damaged files must be refused by name without running anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/foreign/pickle.h"
#include "core/formats/foreign/vocabulary_file.h"
#include "core/formats/hdf5.h"
#include "core/formats/model_loader.h"
#include "tests/foreign/reference_outputs.h"
#include "tests/support/run_command.h"

namespace lstmscope::test {
namespace {

std::string torchFixture(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/torch/" + name;
}

struct Case {
  std::string file, vocab, expected;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << c.file;
}

template <class T>
double worstAgainstPyTorch(const Network<T>& net, const std::string& expectedFile, double tolerance) {
  return worstAgainstReference(net, torchFixture(expectedFile), tolerance);
}

class TorchFile : public ::testing::TestWithParam<Case> {};

// Float32 (what users run) within 1e-5; float64 on the same weights within 1e-9, which only an exact
// layout (gate order, transposes, bias sums, head wiring) reaches.
TEST_P(TorchFile, OutputsMatchTheModelsOwnForward) {
  const Case& c = GetParam();
  const ImportedModel imported =
      importModel(torchFixture(c.file), c.vocab.empty() ? std::string() : torchFixture(c.vocab));
  EXPECT_LE(worstAgainstPyTorch(imported.model, c.expected, 1e-5), 1.0) << c.file;
  EXPECT_LE(worstAgainstPyTorch(imported.model.cast<double>(), c.expected, 1e-9), 1.0) << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    Formats, TorchFile,
    ::testing::Values(Case{"char_lm.pt", "char_lm.vocab.json", "char_lm_expected.h5"},
                      Case{"char_lm_legacy.pt", "", "char_lm_expected.h5"},
                      Case{"char_lm_whole.pt", "", "char_lm_expected.h5"},
                      Case{"char_lm.safetensors", "", "char_lm_expected.h5"},
                      Case{"char_lm_checkpoint.pth", "", "char_lm_checkpoint_expected.h5"},
                      Case{"bi_classifier.pt", "bi_classifier.vocab_map.json", "bi_classifier_expected.h5"},
                      Case{"bi_classifier_legacy.pt", "", "bi_classifier_expected.h5"},
                      Case{"bi_classifier_whole.pt", "", "bi_classifier_expected.h5"},
                      Case{"bi_classifier.safetensors", "", "bi_classifier_expected.h5"},
                      Case{"bi_classifier_checkpoint.pth", "", "bi_classifier_checkpoint_expected.h5"},
                      Case{"bi_classifier_f64.pt", "", "bi_classifier_expected.h5"},
                      Case{"bi_classifier_f16.safetensors", "", "bi_classifier_f16_expected.h5"},
                      Case{"onehot_lm.pt", "onehot_lm.vocab.txt", "onehot_lm_expected.h5"},
                      Case{"onehot_lm_legacy.pt", "onehot_lm.vocab.txt", "onehot_lm_expected.h5"},
                      Case{"onehot_lm_whole.pt", "onehot_lm.vocab.txt", "onehot_lm_expected.h5"},
                      Case{"onehot_lm.safetensors", "onehot_lm.vocab.txt", "onehot_lm_expected.h5"},
                      Case{"forecaster.pt", "", "forecaster_expected.h5"},
                      Case{"forecaster_legacy.pt", "", "forecaster_expected.h5"},
                      Case{"forecaster_whole.pt", "", "forecaster_expected.h5"},
                      Case{"forecaster.safetensors", "", "forecaster_expected.h5"},
                      Case{"forecaster_checkpoint.pth", "", "forecaster_checkpoint_expected.h5"},
                      Case{"strided_views.pt", "", "strided_views_expected.h5"}));

// The same weights through every container give bit-identical parameters, so identical recordings.
TEST(TorchFiles, EveryContainerGivesIdenticalWeights) {
  for (const std::string name : {"char_lm", "bi_classifier", "onehot_lm", "forecaster"}) {
    const Model zip = loadModel(torchFixture(name + ".pt"));
    for (const std::string other : {"_legacy.pt", "_whole.pt", ".safetensors"}) {
      const Model m = loadModel(torchFixture(name + other));
      std::vector<std::pair<std::string, Eigen::VectorXf>> a, b;
      zip.params.forEach(zip.arch, [&](const std::string& n, const auto& t) {
        a.emplace_back(n, Eigen::Map<const Eigen::VectorXf>(t.data(), t.size()));
      });
      m.params.forEach(m.arch, [&](const std::string& n, const auto& t) {
        b.emplace_back(n, Eigen::Map<const Eigen::VectorXf>(t.data(), t.size()));
      });
      ASSERT_EQ(a.size(), b.size()) << name << other;
      for (size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].first, b[k].first);
        EXPECT_TRUE(a[k].second == b[k].second) << name << other << " " << a[k].first;
      }
    }
  }
}

// An nn.LSTMCell called once per step (its tensors have no _l0 suffix) is one LSTM layer over the sequence:
// the state dict and the whole-module save give PyTorch's outputs of the loop.
TEST(TorchFiles, AnLstmCellLoopedOverTheStepsIsOneLayer) {
  for (const char* file : {"cell_lm.pt", "cell_lm_whole.pt"}) {
    const ImportedModel cell = importModel(torchFixture(file));
    ASSERT_EQ(cell.model.arch.layers.size(), 1u) << file;
    EXPECT_EQ(cell.model.arch.layers[0].hidden, 6);
    EXPECT_EQ(cell.model.arch.task, Task::LanguageModel);
    EXPECT_LE(worstAgainstPyTorch(cell.model, "cell_lm_expected.h5", 1e-5), 1.0) << file;
    EXPECT_LE(worstAgainstPyTorch(cell.model.cast<double>(), "cell_lm_expected.h5", 1e-9), 1.0) << file;
    const std::string assumptions = allAssumptions(cell);
    EXPECT_NE(assumptions.find("module cell is an nn.LSTMCell (no layer suffix): it is run over every step as one "
                               "LSTM layer"),
              std::string::npos)
        << assumptions;
  }
}

TEST(TorchFiles, ArchitectureIsInferredAndAssumptionsAreReported) {
  const ImportedModel lm = importModel(torchFixture("char_lm.pt"), torchFixture("char_lm.vocab.json"));
  EXPECT_EQ(lm.model.arch.task, Task::LanguageModel);
  EXPECT_EQ(lm.model.arch.layers.size(), 2u);
  EXPECT_EQ(lm.model.arch.vocab.level(), TokenLevel::Char);
  EXPECT_EQ(lm.model.arch.vocab.tokens()[10], "\u00e9");
  EXPECT_EQ(lm.report.format, "PyTorch checkpoint (zip), vocabulary JSON array");

  const ImportedModel cls =
      importModel(torchFixture("bi_classifier_whole.pt"), torchFixture("bi_classifier.vocab_map.json"));
  EXPECT_EQ(cls.model.arch.task, Task::Classifier);
  EXPECT_TRUE(cls.model.arch.layers[1].bidirectional);
  EXPECT_EQ(cls.model.arch.head->reads, HeadReads::FinalStates);
  EXPECT_EQ(cls.model.arch.vocab.unk(), "<unk>");
  EXPECT_EQ(cls.model.arch.vocab.level(), TokenLevel::Word);
  std::string assumptions;
  for (const auto& a : cls.report.assumptions) assumptions += a + "\n";
  EXPECT_NE(assumptions.find("ReLU"), std::string::npos) << assumptions;
  EXPECT_NE(assumptions.find("final states"), std::string::npos) << assumptions;

  const ImportedModel checkpoint = importModel(torchFixture("char_lm_checkpoint.pth"));
  bool summarised = false;
  for (const auto& a : checkpoint.report.assumptions) summarised |= a.find("training state") != std::string::npos;
  EXPECT_TRUE(summarised);

  const ImportedModel forecaster = importModel(torchFixture("forecaster.pt"));
  EXPECT_EQ(forecaster.model.arch.inputKind, InputKind::Features);
  EXPECT_EQ(forecaster.model.arch.featureDim, 3);
  EXPECT_EQ(forecaster.model.arch.task, Task::Regression);

  // The user's choices override what is inferred.
  ImportChoices choices;
  choices.task = Task::Tagger;
  choices.headReads = HeadReads::EachStep;
  choices.headActivation = HeadActivation::Sigmoid;
  const ImportedModel tagger = importModel(torchFixture("bi_classifier.pt"), "", choices);
  EXPECT_EQ(tagger.model.arch.task, Task::Tagger);
  EXPECT_EQ(tagger.model.arch.head->reads, HeadReads::EachStep);
  EXPECT_EQ(tagger.model.arch.head->activation, HeadActivation::Sigmoid);
}

std::string assumptionsOf(const ImportedModel& imported) {
  return allAssumptions(imported);
}

// A state dict without embedding whose head has one output per input (a char-rnn) is a one-hot language
// model reading every step, not a regression on numeric features; the user's task still wins.
TEST(TorchFiles, InputAsWideAsTheOutputIsTakenForAOneHotLanguageModel) {
  const ImportedModel lm = importModel(torchFixture("char27_onehot.pt"));
  EXPECT_EQ(lm.model.arch.inputKind, InputKind::Tokens);
  EXPECT_FALSE(lm.model.arch.hasEmbedding);
  EXPECT_EQ(lm.model.arch.vocab.size(), 27);
  EXPECT_EQ(lm.model.arch.task, Task::LanguageModel);
  ASSERT_TRUE(lm.model.arch.head);
  EXPECT_EQ(lm.model.arch.head->reads, HeadReads::EachStep);
  EXPECT_EQ(lm.model.arch.head->activation, HeadActivation::Softmax);
  const std::string assumed = assumptionsOf(lm);
  EXPECT_NE(assumed.find("input width = output width: taken as a one-hot language model"), std::string::npos)
      << assumed;
  EXPECT_EQ(assumed.find("27 numeric features per step"), std::string::npos) << assumed;
  EXPECT_EQ(assumed.find("final states"), std::string::npos) << assumed;
  EXPECT_LE(worstAgainstPyTorch(lm.model.cast<double>(), "char27_onehot_expected.h5", 1e-9), 1.0);
  // The smaller char-rnn fixture reads the same way without its vocabulary file.
  EXPECT_EQ(importModel(torchFixture("onehot_lm.pt")).model.arch.task, Task::LanguageModel);

  // Typed tokens: one line is one token per character.
  ImportChoices typed;
  typed.vocabularyTokens = parseTypedTokens("abcdefghijklmnopqrstuvwxyz ");
  const ImportedModel withTokens = importModel(torchFixture("char27_onehot.pt"), "", typed);
  EXPECT_EQ(withTokens.model.arch.vocab.level(), TokenLevel::Char);
  EXPECT_EQ(withTokens.model.arch.vocab.tokens()[0], "a");
  EXPECT_EQ(withTokens.model.arch.vocab.tokens()[26], " ");
  EXPECT_EQ(withTokens.report.format, "PyTorch checkpoint (zip), vocabulary typed (27 tokens)");
  EXPECT_LE(worstAgainstPyTorch(withTokens.model, "char27_onehot_expected.h5", 1e-5), 1.0);

  // Choosing regression reads numeric features, as before.
  ImportChoices regression;
  regression.task = Task::Regression;
  const ImportedModel features = importModel(torchFixture("char27_onehot.pt"), "", regression);
  EXPECT_EQ(features.model.arch.inputKind, InputKind::Features);
  EXPECT_EQ(features.model.arch.featureDim, 27);
  EXPECT_NE(assumptionsOf(features).find("27 numeric features per step"), std::string::npos);

  // The forecaster (3 features in, 1 value out) stays a regression.
  EXPECT_EQ(importModel(torchFixture("forecaster.pt")).model.arch.inputKind, InputKind::Features);
}

TEST(TypedTokens, OneLineIsCharactersSeveralLinesAreOneTokenEach) {
  using Tokens = std::vector<std::string>;
  EXPECT_EQ(parseTypedTokens("ab c\n"), (Tokens{"a", "b", " ", "c"}));  // a trailing line break is ignored
  EXPECT_EQ(parseTypedTokens("a\\nb\\t\\\\é"), (Tokens{"a", "\n", "b", "\t", "\\", "\u00e9"}));
  EXPECT_EQ(parseTypedTokens("the\r\ncat\n\n<unk>\n\n"), (Tokens{"the", "cat", "", "<unk>"}));
  EXPECT_EQ(parseTypedTokens("\\n\nword"), (Tokens{"\n", "word"}));
  EXPECT_TRUE(parseTypedTokens("").empty());
  for (const Tokens& tokens : {Tokens{"a", "\n", " ", "\\", "\u00e9"}, Tokens{"the", "cat", "\t", "<unk>"}})
    EXPECT_EQ(parseTypedTokens(typedTokensText(tokens)), tokens);
  EXPECT_EQ(typedTokensText({"a", "\n", "b"}), "a\\nb");

  const LoadedVocabulary words = typedVocabulary({"<unk>", "the", "cat"});
  EXPECT_EQ(words.vocab.level(), TokenLevel::Word);
  EXPECT_EQ(words.vocab.unk(), "<unk>");
  try {
    typedVocabulary({"a", "b", "a"});
    ADD_FAILURE() << "a token typed twice was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("twice"), std::string::npos) << e.what();
  }
}

std::string errorOf(const std::string& model, const std::string& vocab = {}) {
  try {
    importModel(torchFixture(model), vocab.empty() ? std::string() : torchFixture(vocab));
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TorchFiles, HostileAndDamagedFilesAreRefusedByName) {
  const std::pair<const char*, const char*> expectations[] = {
      {"hostile/os_system.pt", "names posix.system, which can run code"},
      {"hostile/eval.pt", "names __builtin__.eval"},
      {"hostile/unknown_call.pt", "calls collections.Counter"},
      {"hostile/truncated.pt", "truncated or damaged"},
      {"hostile/bitflip.pt", "CRC"},
      {"hostile/truncated_legacy.pt", "is truncated"},
      {"hostile/zipbomb.pt", "more than the 268435456"},
      {"hostile/absurd_view.pt", "tensor lstm.weight_ih_l0): reads element 9999999999 of a storage holding 4"},
      {"hostile/absurd_shape.safetensors", "(tensor w): is absurdly large"},
      {"hostile/offsets_beyond.safetensors", "(tensor w): has data offsets"},
      {"hostile/truncated.safetensors", "do not fit its shape or the file"},
      {"hostile/gru_state.pt", "a GRU"},
      {"hostile/gru_named_lstm_whole.pt", "module lstm is a torch.nn.modules.rnn.GRU"},
      {"hostile/projection.pt", "weight_hr_l0 is an LSTM projection"},
      {"hostile/nan_weight.pt", "lstm/1/fwd/W_hh contains 1 NaN"},
      // Pickles that cost time or memory are read or refused in time linear in their size (a 2 MB file of
      // nested lists used to hang; sharing and repeated searches could take 2^60 steps).
      {"hostile/nested_lists.pt", "holds no tensors"},
      {"hostile/contained_appends.pt", "pickle at byte 400175 links its containers into each other too often"},
      {"hostile/shared_dicts.pt", "walking it would visit more than 4194304"},
  };
  for (const auto& [file, expected] : expectations) {
    const std::string message = errorOf(file);
    EXPECT_NE(message.find(torchFixture(file)), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << file << ": " << message;
  }
  EXPECT_FALSE(std::filesystem::exists(torchFixture("hostile/PWNED"))) << "a pickle ran code";
}

TEST(TorchFiles, MismatchedOrBrokenVocabulariesAreRefused) {
  const std::string size = errorOf("char_lm.pt", "hostile/wrong_size.vocab.json");
  EXPECT_NE(size.find("has 10 tokens but the model"), std::string::npos) << size;
  EXPECT_NE(size.find("has 11"), std::string::npos) << size;
  const std::string latin1 = errorOf("char_lm.pt", "hostile/latin1.vocab.txt");
  EXPECT_NE(latin1.find("is not UTF-8 text (invalid byte at line 3"), std::string::npos) << latin1;
}

TEST(TorchFiles, CliConvertsAndRefusesWithExitThree) {
  const std::string cli = LSTMSCOPE_CLI;
  const std::string out = ::testing::TempDir() + "/converted_char_lm.h5";
  const CommandResult convert =
      runCommand(cli + " convert " + shellQuoted(torchFixture("char_lm.pt")) + " --vocab " +
                 shellQuoted(torchFixture("char_lm.vocab.json")) + " --out " + shellQuoted(out));
  ASSERT_EQ(convert.exitCode, 0) << convert.output;
  const Model native = loadModel(out),
              original = loadModel(torchFixture("char_lm.pt"), torchFixture("char_lm.vocab.json"));
  EXPECT_EQ(native.arch.vocab.tokens(), original.arch.vocab.tokens());
  EXPECT_LE(worstAgainstPyTorch(native, "char_lm_expected.h5", 1e-5), 1.0);

  const CommandResult info = runCommand(cli + " info " + shellQuoted(torchFixture("bi_classifier.pt")));
  EXPECT_EQ(info.exitCode, 0) << info.output;
  EXPECT_NE(info.output.find("rnn.weight_ih_l1_reverse (28, 14) -> lstm 1 bwd W_ih"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("assumed: the head reads the final states"), std::string::npos) << info.output;

  for (const char* hostile : {"hostile/os_system.pt", "hostile/zipbomb.pt", "hostile/truncated.safetensors"}) {
    const CommandResult r = runCommand(cli + " info " + shellQuoted(torchFixture(hostile)));
    EXPECT_EQ(r.exitCode, 3) << hostile << ": " << r.output;
    EXPECT_NE(r.output.find(hostile), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace lstmscope::test

namespace lstmscope::test {
namespace {

std::string torchFixture(const std::string& name);

// The sidecar remembers choices and the vocabulary (relative to itself) so the next open needs no flags;
// what the caller passes still wins; a malformed sidecar is named.
TEST(ImportSidecar, RemembersChoicesAndVocabulary) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "sidecar_case";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string model = (dir / "classifier.pt").string(), vocab = (dir / "words.json").string();
  fs::copy_file(torchFixture("bi_classifier.pt"), model);
  fs::copy_file(torchFixture("bi_classifier.vocab_map.json"), vocab);

  SavedImport saved;
  saved.choices.task = Task::Tagger;
  saved.choices.headReads = HeadReads::EachStep;
  saved.choices.preActivations = std::vector<DenseActivation>{DenseActivation::Tanh};
  saved.vocabPath = vocab;
  writeSidecar(saved, sidecarPath(model));
  const SavedImport back = readSidecar(sidecarPath(model));
  EXPECT_EQ(back.vocabPath, vocab);

  const ImportedModel remembered = importModel(model);
  EXPECT_EQ(remembered.model.arch.task, Task::Tagger);
  EXPECT_EQ(remembered.model.arch.head->reads, HeadReads::EachStep);
  EXPECT_EQ(remembered.model.arch.head->preActivations, std::vector<DenseActivation>{DenseActivation::Tanh});
  EXPECT_EQ(remembered.model.arch.vocab.unk(), "<unk>");  // the remembered vocabulary file
  EXPECT_EQ(remembered.report.assumptions.front(), "choices remembered in " + sidecarPath(model));

  ImportChoices given;
  given.task = Task::Classifier;
  given.headReads = HeadReads::FinalStates;
  given.preActivations = std::vector<DenseActivation>{DenseActivation::Relu};
  const ImportedModel overridden = importModel(model, "", given);
  EXPECT_EQ(overridden.model.arch.task, Task::Classifier);
  EXPECT_EQ(overridden.model.arch.head->reads, HeadReads::FinalStates);
  EXPECT_LE(worstAgainstReference(overridden.model, torchFixture("bi_classifier_expected.h5"), 1e-5), 1.0);

  {
    std::ofstream bad(sidecarPath(model));
    bad << R"({"task": "poetry"})";
  }
  try {
    importModel(model);
    ADD_FAILURE() << "a malformed sidecar was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(sidecarPath(model) + ": field task has a value"), std::string::npos)
        << e.what();
  }
}

// The JSON the app keeps in its settings: typed tokens survive, and without a base directory the
// vocabulary file's path stays absolute.
TEST(ImportSidecar, SavedImportJsonKeepsTypedTokensAndAbsolutePaths) {
  SavedImport saved;
  saved.choices.task = Task::LanguageModel;
  saved.choices.vocabularyTokens = std::vector<std::string>{"a", "\n", " "};
  saved.vocabPath = "/data/models/chars.txt";
  const SavedImport back = parseSavedImport(savedImportJson(saved, ""), "settings", "");
  EXPECT_EQ(back.choices.task, Task::LanguageModel);
  EXPECT_EQ(back.choices.vocabularyTokens, saved.choices.vocabularyTokens);
  EXPECT_EQ(back.vocabPath, "/data/models/chars.txt");
  try {
    parseSavedImport(R"({"vocabulary_tokens": "abc"})", "settings", "");
    ADD_FAILURE() << "tokens that are not a list were accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("settings: has a field of the wrong type"), std::string::npos) << e.what();
  }
}

TEST(ImportSidecar, CliRememberThenEveryCommandUsesIt) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "sidecar_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string model = (dir / "lm.pt").string(), vocab = (dir / "chars.json").string();
  fs::copy_file(torchFixture("char_lm.pt"), model);
  fs::copy_file(torchFixture("char_lm.vocab.json"), vocab);
  const std::string cli = LSTMSCOPE_CLI;
  const CommandResult remember = runCommand(cli + " info " + shellQuoted(model) + " --vocab " + shellQuoted(vocab) +
                                            " --token-level char --remember");
  ASSERT_EQ(remember.exitCode, 0) << remember.output;
  EXPECT_TRUE(fs::exists(sidecarPath(model)));
  const std::string trace = (dir / "trace.h5").string();
  const CommandResult record =
      runCommand(cli + " record --model " + shellQuoted(model) + " --text 'abc é' --out " + shellQuoted(trace));
  EXPECT_EQ(record.exitCode, 0) << record.output;  // characters, from the remembered vocabulary
  const CommandResult badFlag = runCommand(cli + " info " + shellQuoted(model) + " --head-reads sometimes");
  EXPECT_EQ(badFlag.exitCode, 2) << badFlag.output;
}

}  // namespace
}  // namespace lstmscope::test
