// Keras' LSTM weight layouts converted to ours (PyTorch order: rows are gate blocks i, f, g, o):
// Keras 2/3 and TF.js kernel (D, 4H) / recurrent (H, 4H) / bias (4H) in gate order i, f, c, o; Keras 1's
// twelve per-gate arrays stored i, c, f, o; CuDNNLSTM's cuDNN-ordered blocks with an 8H bias (input half
// + recurrent half). See docs/IMPORT.md, "How each framework lays out an LSTM".
#pragma once

#include <string>
#include <vector>

#include "core/formats/foreign/tensor_set.h"
#include "core/model/model.h"

namespace lstmscope {

// One direction's weights from its Keras arrays (2, 3 or 12 of them). Throws InputError naming `where`
// when the count or shapes do not form an LSTM (a GRU's 3-gate kernel is named as such).
DirectionParams<float> kerasLstmDirection(const std::vector<const NamedTensor*>& arrays, const std::string& where);

// A Dense kernel (in, out) and optional bias as (out, in) weight and bias.
DenseParams<float> kerasDense(const NamedTensor& kernel, const NamedTensor* bias, const std::string& where);

}  // namespace lstmscope
