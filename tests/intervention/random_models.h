// Random models of every LSTM variant the engine runs, for the intervention tests: weights large enough
// that gates saturate sometimes and interventions have visible effects.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "core/training/init.h"

namespace lstmscope::test {

struct Variant {
  std::string name;
  std::vector<int> hidden;
  bool bidirectional = false, reverseLast = false, peepholes = false, coupled = false;
  float clip = 0;
  GateActivation gate = GateActivation::Sigmoid;
  bool finalStates = false;  // a classifier head with one hidden dense layer, reading the final states
  // Or pooling every step of these layer inputs (0: the embedding; l + 1: layer l's output).
  HeadReads pooling = HeadReads::EachStep;
  std::vector<int> sources = {};
};

inline std::vector<Variant> interventionVariants() {
  return {{"one_layer", {6}},
          {"three_layers", {5, 7, 4}},
          {"bidirectional", {5, 4}, true},
          {"reverse_last", {6, 5}, false, true},
          {"peepholes_clip", {5, 6}, false, false, true, false, 1.1f},
          {"coupled_bidirectional", {4, 5}, true, false, true, true},
          {"hard_sigmoid", {7}, false, false, false, false, 0, GateActivation::HardSigmoid},
          {"classifier", {6, 5}, true, false, false, false, 0, GateActivation::Sigmoid, true},
          {"attention_skip",
           {6, 5},
           false,
           false,
           false,
           false,
           0,
           GateActivation::Sigmoid,
           true,
           HeadReads::AttentionPool,
           {0, 1, 2}},
          {"max_pool_bidirectional",
           {5, 4},
           true,
           false,
           false,
           false,
           0,
           GateActivation::Sigmoid,
           true,
           HeadReads::MaxPool,
           {1, 2}},
          {"wide_split", {140, 130}}};  // wide enough that each step is split across two cores (kept last)
}

inline Network<double> randomModel(const Variant& v, uint64_t seed) {
  Architecture a;
  a.name = v.name;
  a.task = v.finalStates ? Task::Classifier : Task::LanguageModel;
  a.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c", " ", "\n", "(", ")", "<unk>"}, false, "<unk>");
  for (size_t l = 0; l < v.hidden.size(); ++l) {
    LayerSpec s{v.hidden[l], v.bidirectional, v.gate, CellActivation::Tanh};
    s.peepholes = v.peepholes, s.clip = v.clip, s.coupledForget = v.coupled;
    s.reverse = v.reverseLast && l + 1 == v.hidden.size();
    a.layers.push_back(s);
  }
  a.head =
      HeadSpec{{}, HeadActivation::Softmax, v.finalStates ? HeadReads::FinalStates : HeadReads::EachStep, {}, {}, 0};
  if (v.finalStates) a.head->preActivations = {DenseActivation::Tanh};
  if (v.pooling != HeadReads::EachStep) {
    a.head->reads = v.pooling, a.head->sources = v.sources;
    a.head->attentionEpsilon = v.pooling == HeadReads::AttentionPool ? 1e-7 : 0;
  }
  Model m = initialiseModel(
      a, {4, v.finalStates ? std::vector<int>{6} : std::vector<int>{}, v.finalStates ? 3 : a.vocab.size()}, seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f), scale(2.0f, 3.0f);
  for (size_t l = 0; l < m.params.lstm.size(); ++l)
    for (auto& d : m.params.lstm[l])
      if (v.peepholes) d.peephole = Vec<float>::NullaryExpr(3 * a.layers[l].hidden, [&] { return unit(rng); });
  m.params.forEachTensor([&](auto& t) { t *= scale(rng); });
  return m.cast<double>();
}

inline Inputs<double> randomTokens(long steps, int vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Inputs<double> in;
  in.steps = static_cast<int>(steps);
  for (long t = 0; t < steps; ++t) in.tokens.push_back(static_cast<int32_t>(rng() % static_cast<uint64_t>(vocab)));
  return in;
}

}  // namespace lstmscope::test
