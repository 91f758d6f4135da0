// Keras heads that pool every step of an LSTM's output, and the Concatenate skip connections they read:
// GlobalAveragePooling1D, GlobalMaxPooling1D and the attention layer DeepMoji and textgenrnn made common,
// AttentionWeightedAverage (docs/IMPORT.md#heads-that-pool-every-step).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/formats/foreign/tensor_set.h"
#include "core/model/model.h"

namespace lstmscope {

// The pooling a layer class performs, or nothing. Keras 3's "Custom>Name" registrations count by name.
std::optional<HeadReads> kerasPoolingOf(const std::string& className);

// Keras' K.epsilon(), which AttentionWeightedAverage adds to its softmax's denominator.
constexpr double kKerasEpsilon = 1e-7;

// An attention layer's scoring vector: its one weight, shaped (D, 1) or (D). Throws InputError at `where`.
Vec<float> kerasAttentionVector(const std::vector<NamedTensor>& weights, const std::string& where);

// Which layer inputs (0: the embedding or features, l + 1: LSTM layer l's output; `widths` gives each
// one's width) a join of unknown inputs read, from the width D they add up to: the last layer alone, the
// embedding and every layer (textgenrnn), or every layer. Empty when none of them adds up to D.
std::vector<int> kerasJoinOfWidth(int width, const std::vector<int>& widths);

}  // namespace lstmscope
