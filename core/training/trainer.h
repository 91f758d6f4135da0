// `lstmscope-cli train`: fits a character- or word-level language model on a text, or a sequence
// classifier on labelled lines, with truncated BPTT, Adam, gradient clipping and a validation split.
// Deterministic for a given seed and thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/model/model.h"

namespace lstmscope {

struct TrainOptions {
  Task task = Task::LanguageModel;  // LanguageModel or Classifier
  std::string name = "model";
  TokenLevel level = TokenLevel::Char;
  bool lowercase = false;
  int minCount = 1;                             // word level: words seen fewer times become the UNK token "<unk>"
  int layers = 2, hidden = 128, embedding = 0;  // embedding 0 = one-hot input
  bool bidirectional = false;                   // classifiers only
  int epochs = 10, batch = 32, bptt = 64;
  double learningRate = 2e-3, learningRateDecay = 1.0;  // decay multiplies the rate after each epoch
  double clip = 5.0;
  double validFraction = 0.05;
  uint64_t seed = 1;
  std::string checkpointPrefix;  // non-empty: write PREFIX-epochN.h5 after every epoch
  // Continue from this model's weights, vocabulary and architecture (the options above that describe the
  // model are then ignored). Adam's moments start afresh.
  std::shared_ptr<const Model> resume;
};

struct EpochStats {
  int epoch = 0;
  double trainLoss = 0;      // mean cross-entropy, nats
  double validLoss = 0;      // nats per token (language model) or per sequence (classifier)
  double validBits = 0;      // validLoss / ln 2
  double validAccuracy = 0;  // classifier only
  double seconds = 0;
  long tokens = 0;
};

// The epoch in progress after one of its steps.
struct StepStats {
  int epoch = 0;
  double trainLoss = 0;  // mean cross-entropy of the epoch's steps so far, nats
  double tokensPerSecond = 0;
};

// What training reports besides progress: its figures, as they arise. Progress and cancelling go through
// ProgressCallbacks, in steps of the whole run (epochs x steps per epoch); a step's figures arrive just
// before its progress.
struct TrainingLog {
  std::function<void(const StepStats&)> step;
  std::function<void(const EpochStats&)> epoch;
};

struct TrainResult {
  Model model;  // the epoch with the lowest validation loss
  std::vector<EpochStats> history;
};

struct LabelledText {
  std::string label, text;
};

// Parses one `label<TAB>text` per line; blank lines are skipped. Throws InputError with the line number.
std::vector<LabelledText> parseLabelledText(const std::string& bytes, const std::string& source);

// All tokens of `texts` in first-seen order sorted by code point/byte order; with minCount > 1 (word
// level), rare words are dropped and "<unk>" added.
Vocabulary buildVocabulary(const std::vector<std::string>& texts, TokenLevel level, bool lowercase, int minCount);

// Both throw Cancelled when callbacks.cancelled() turns true (polled before every step).
TrainResult trainLanguageModel(const std::string& text, const TrainOptions& options, const TrainingLog& log = {},
                               const ProgressCallbacks& callbacks = {});
TrainResult trainClassifier(const std::vector<LabelledText>& examples, const TrainOptions& options,
                            const TrainingLog& log = {}, const ProgressCallbacks& callbacks = {});

// Validation-style evaluation of a language model on a text: mean nats per predicted token.
double evaluateLanguageModel(const Model& model, const std::vector<int32_t>& ids);

}  // namespace lstmscope
