// Small models built in code for tests that need a model but not a PyTorch reference.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/formats/trace_file.h"
#include "core/training/init.h"

namespace lstmscope::test {

// Char-level model over "abc \n()" with an embedding, `layers` LSTM layers and an each-step softmax head.
inline Model smallCharModel(int layers = 2, bool bidirectional = false, uint64_t seed = 7) {
  Architecture a;
  a.name = "small";
  a.task = Task::LanguageModel;
  a.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c", " ", "\n", "(", ")", "<unk>"}, false, "<unk>");
  for (int l = 0; l < layers; ++l)
    a.layers.push_back({5 + l, bidirectional, GateActivation::Sigmoid, CellActivation::Tanh});
  a.head = HeadSpec{{}, HeadActivation::Softmax, HeadReads::EachStep, {}, {}, 0};
  return initialiseModel(a, {4, {}, a.vocab.size()}, seed);
}

// A forecaster over `features` numeric inputs per step: one LSTM layer and a linear head reading the final
// state (a Keras-style regression model).
inline Model smallFeatureModel(int features = 3, uint64_t seed = 11) {
  Architecture a;
  a.name = "forecaster";
  a.task = Task::Regression;
  a.inputKind = InputKind::Features;
  a.featureDim = features;
  a.layers.push_back({6, false, GateActivation::Sigmoid, CellActivation::Tanh});
  a.head = HeadSpec{{}, HeadActivation::Linear, HeadReads::FinalStates, {}, {}, 0};
  return initialiseModel(a, {0, {}, 1}, seed);
}

// A forecaster that reads characters through a front end: a lookup of "a", "b", "c" (vectors of width 3), then
// a convolution of 4 filters over windows of 2 characters every `stride` characters.
inline Model smallTextFrontEndModel(long stride = 1) {
  Model model = smallFeatureModel(4);
  model.arch.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c"});
  StepLayer lookup;
  lookup.name = "embedding", lookup.className = "Embedding", lookup.kind = StepLayer::Kind::Lookup;
  lookup.weight = Eigen::MatrixXd::Random(3, 3);
  StepLayer conv;
  conv.name = "conv1d", conv.className = "Conv1D", conv.kind = StepLayer::Kind::Conv;
  conv.window = 2, conv.stride = stride, conv.activation = "relu";
  conv.weight = Eigen::MatrixXd::Random(4, 2 * 3);
  conv.bias = Eigen::VectorXd::Random(4);
  model.arch.frontEnd = {lookup, conv};
  return model;
}

// The header of a trace of the model "small" over `tokens` (their texts `text`).
inline TraceHeader smallTraceHeader(long steps, const std::vector<int32_t>& tokens,
                                    const std::vector<std::string>& text) {
  TraceHeader h;
  h.modelName = "small";
  h.steps = steps;
  h.tokens = tokens;
  h.tokenText = text;
  return h;
}

// A fresh scratch directory under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("lstmscope-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace lstmscope::test
