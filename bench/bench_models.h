// The benchmarks' models, built in code rather than committed: what they measure depends only on shapes.
#pragma once

#include <string>
#include <vector>

#include "core/training/init.h"

namespace lstmscope::bench {

// A character language model of `layers` forward LSTM layers of `hidden` units over `vocab` printable
// characters (from ' '), a softmax head at every step, weights as the trainer initialises them (seed 42).
inline Model charModel(int layers, int hidden, int vocab) {
  Architecture a;
  a.name = "bench";
  std::vector<std::string> tokens;
  for (int k = 0; k < vocab; ++k) tokens.push_back(std::string(1, static_cast<char>(32 + k)));
  a.vocab = Vocabulary(TokenLevel::Char, tokens);
  for (int l = 0; l < layers; ++l) a.layers.push_back({hidden, false, GateActivation::Sigmoid, CellActivation::Tanh});
  a.head = HeadSpec{};  // a softmax over the vocabulary at each step
  return initialiseModel(a, {0, {}, vocab}, 42);
}

}  // namespace lstmscope::bench
