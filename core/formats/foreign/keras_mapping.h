// Turns a Keras model description (keras_layers.h) into a Model. Supported: Masking on the input, an optional
// Embedding (mask_zero too), one or more LSTM / CuDNNLSTM / Bidirectional(LSTM, merge_mode concat) layers,
// then Dense layers (also inside TimeDistributed) with an optional Activation/Softmax, or a pooling head
// (keras_pooling.h); per-step layers around them are folded into their neighbours (keras_step_layers.h);
// Conv1D and local pooling before the first LSTM form a front end over time (keras_window_layers.h), reading
// numeric features or, after an Embedding, text; Dropout-like and InputLayer layers are identities at
// inference. go_backwards LSTMs become reverse layers (their reversed output order is followed through the
// stack) unless a per-step head or a Bidirectional layer would read that reversed order. Anything else (GRU,
// other attention, Lambda, stateful layers, other merge modes) is an InputError naming the layer. Files without an
// architecture (weights-only saves) are mapped by their weights' shapes and names (keras_guess.h), with the guesses in
// the report.
#pragma once

#include <optional>
#include <string>

#include "core/formats/foreign/import_report.h"
#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {

ImportedModel mapKerasModel(const KerasModelFile& file, const ImportChoices& choices,
                            const std::optional<LoadedVocabulary>& vocab, const std::string& source);

}  // namespace lstmscope
