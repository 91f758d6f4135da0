// The trainer: it learns (language model and classifier), it is reproducible, and the shipped bracket
// fixture (trained with it) has the nesting-depth cell that the app's tests rely on.
#include "core/training/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>
#include <utility>
#include <vector>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "tests/support/bracket_text.h"
#include "tests/support/planted_tokens.h"

namespace lstmscope::test {
namespace {

double correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const Eigen::VectorXd x = a.array() - a.mean(), y = b.array() - b.mean();
  return x.dot(y) / std::sqrt(x.squaredNorm() * y.squaredNorm());
}

TEST(BracketFixture, HasANestingDepthCellAndKnowsWhenToClose) {
  const Model m = loadNativeModel(std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/fixtures/brackets_char.h5");
  const std::string text = bracketText(60, 99);
  Inputs<float> in;
  in.tokens = tokenize(m.arch.vocab, text, "brackets").ids;
  in.steps = static_cast<int>(in.tokens.size());
  Tape<float> tape;
  forward(m, in, tape);
  Eigen::VectorXd depth(in.steps);
  int d = 0;
  for (int t = 0; t < in.steps; ++t) depth[t] = d += (text[t] == '(') - (text[t] == ')');
  double best = 0;
  for (long u = 0; u < tape.layers[0][0].c.rows(); ++u)
    best = std::max(best, std::abs(correlation(tape.layers[0][0].c.row(u).transpose().cast<double>(), depth)));
  EXPECT_GT(best, 0.9);
  const int close = m.arch.vocab.idOf(")"), newline = m.arch.vocab.idOf("\n");
  double closeAtZero = 0, newlineInside = 0;
  int zero = 0, inside = 0;
  for (int t = 0; t < in.steps; ++t) {
    if (depth[t] == 0)
      closeAtZero += tape.probs(close, t), ++zero;
    else
      newlineInside += tape.probs(newline, t), ++inside;
  }
  EXPECT_LT(closeAtZero / zero, 0.05);
  EXPECT_LT(newlineInside / inside, 0.05);
}

// The shipped demo is a trained model: on its held-out sample (Python code it never saw) it predicts each
// next character with far fewer bits than chance (log2 of 167 symbols = 7.4 bits).
TEST(DemoModel, PredictsHeldOutPythonCode) {
  const std::string root = LSTMSCOPE_SOURCE_DIR;
  const Model m = loadNativeModel(root + "/resources/demo/python_char.h5");
  std::ifstream in(root + "/resources/demo/sample.py", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const double bits = evaluateLanguageModel(m, tokenize(m.arch.vocab, text, "sample.py").ids) / std::log(2.0);
  EXPECT_LT(bits, 2.0);
  EXPECT_EQ(m.arch.layers.size(), 2u);
  EXPECT_EQ(m.arch.layers[0].hidden, 256);
}

TEST(Trainer, LanguageModelLearnsBracketsAndIsReproducible) {
  const std::string text = bracketText(1500, 5);
  TrainOptions o;
  o.layers = 1;
  o.hidden = 12;
  o.epochs = 4;
  o.batch = 16;
  o.bptt = 32;
  o.learningRate = 0.01;
  const TrainResult a = trainLanguageModel(text, o);
  ASSERT_EQ(a.history.size(), 4u);
  EXPECT_LT(a.history.back().validBits, 1.15);  // uniform over 3 symbols would be 1.585 bits
  EXPECT_LT(a.history.back().trainLoss, a.history.front().trainLoss);
  const TrainResult b = trainLanguageModel(text, o);
  EXPECT_EQ(a.model.params.lstm[0][0].W_hh, b.model.params.lstm[0][0].W_hh);
  o.seed = 2;
  const TrainResult c = trainLanguageModel(text, o);
  EXPECT_NE(a.model.params.lstm[0][0].W_hh, c.model.params.lstm[0][0].W_hh);
}

TEST(Trainer, ClassifierFindsAPlantedToken) {
  const std::vector<LabelledText> data = plantedTokenData(600, 3);
  TrainOptions o;
  o.layers = 1;
  o.hidden = 8;
  o.embedding = 4;
  o.bidirectional = true;
  o.epochs = 6;
  o.batch = 16;
  o.learningRate = 0.02;
  o.validFraction = 0.2;
  const TrainResult r = trainClassifier(data, o);
  EXPECT_GE(r.history.back().validAccuracy, 0.95);
  EXPECT_EQ(r.model.arch.head->labels, (std::vector<std::string>{"marked", "plain"}));
  EXPECT_EQ(r.model.arch.head->reads, HeadReads::FinalStates);
}

TEST(Trainer, WordLevelModelsLowercaseAndMapRareWordsToUnk) {
  std::string text;
  for (int k = 0; k < 300; ++k) text += k % 2 ? "The cat sat on the mat .\n" : "the dog sat on the log .\n";
  text += "Zebra\n";  // seen once: below --min-count 2
  TrainOptions o;
  o.level = TokenLevel::Word;
  o.lowercase = true;
  o.minCount = 2;
  o.layers = 1;
  o.hidden = 8;
  o.embedding = 5;
  o.epochs = 3;
  o.batch = 4;
  o.bptt = 8;
  o.learningRate = 0.02;
  const TrainResult r = trainLanguageModel(text, o);
  const Vocabulary& v = r.model.arch.vocab;
  EXPECT_EQ(v.tokens(), (std::vector<std::string>{".", "cat", "dog", "log", "mat", "on", "sat", "the", "<unk>"}));
  EXPECT_EQ(v.unk(), "<unk>");
  EXPECT_TRUE(r.model.arch.hasEmbedding);
  EXPECT_EQ(tokenize(v, "THE Zebra", "x").ids, (std::vector<int32_t>{7, 8}));
  EXPECT_LT(r.history.back().validLoss, 0.7);  // the only uncertainty is cat/dog (ln 2 = 0.69 at worst)
}

// Progress counts the steps of the whole run; each step's figures arrive before its progress, each
// epoch's summary after its last step; cancelling stops before the next step.
TEST(Trainer, ReportsEveryStepAndEpochAndStopsWhenCancelled) {
  const std::string text = bracketText(200, 3);
  TrainOptions o;
  o.layers = 1;
  o.hidden = 4;
  o.epochs = 2;
  o.batch = 4;
  o.bptt = 16;
  std::vector<std::pair<long, long>> progress;
  std::vector<int> stepEpochs, epochs;
  TrainingLog log;
  log.step = [&](const StepStats& s) {
    EXPECT_EQ(progress.size(), stepEpochs.size());
    EXPECT_GT(s.trainLoss, 0);
    stepEpochs.push_back(s.epoch);
  };
  log.epoch = [&](const EpochStats& s) { epochs.push_back(s.epoch); };
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long done, long total) { progress.push_back({done, total}); };
  const TrainResult r = trainLanguageModel(text, o, log, callbacks);
  ASSERT_FALSE(progress.empty());
  const long total = progress.back().second, steps = total / 2;
  EXPECT_EQ(total % 2, 0);
  EXPECT_EQ(static_cast<long>(progress.size()), total);
  for (size_t k = 0; k < progress.size(); ++k) {
    EXPECT_EQ(progress[k], std::make_pair(static_cast<long>(k) + 1, total));
    EXPECT_EQ(stepEpochs[k], static_cast<long>(k) < steps ? 1 : 2);
  }
  EXPECT_EQ(epochs, (std::vector<int>{1, 2}));
  EXPECT_EQ(r.history.size(), 2u);

  long checks = 0;
  callbacks.cancelled = [&] { return ++checks > steps + 1; };
  epochs.clear();
  progress.clear();
  stepEpochs.clear();
  EXPECT_THROW(trainLanguageModel(text, o, log, callbacks), Cancelled);
  EXPECT_EQ(static_cast<long>(progress.size()), steps + 1);
  EXPECT_EQ(epochs, (std::vector<int>{1}));
}

TEST(Trainer, RefusesTextsTooShortForTheBatch) {
  TrainOptions o;
  o.batch = 64;
  EXPECT_THROW(trainLanguageModel("abc", o), InputError);
}

}  // namespace
}  // namespace lstmscope::test
