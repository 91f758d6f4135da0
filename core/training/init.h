// Fresh parameters for an architecture, initialised as PyTorch does, from a seed (reproducible).
#pragma once

#include <cstdint>

#include "core/model/model.h"

namespace lstmscope {

// Sizes the trainer needs beyond the Architecture: embedding width (0 = one-hot), hidden dense widths,
// head outputs.
struct InitShape {
  int embedding = 0;
  std::vector<int> headPre;
  int headOutputs = 0;
};

// LSTM weights and biases ~ U(-1/sqrt(H), 1/sqrt(H)); embedding ~ N(0, 1); dense ~ U(-1/sqrt(in), 1/sqrt(in)).
Model initialiseModel(const Architecture& arch, const InitShape& shape, uint64_t seed);

}  // namespace lstmscope
