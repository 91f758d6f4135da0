// The honest fallback for a Keras model that is beyond LSTMScope as a whole: its LSTM stack opens alone,
// with what was cut off said first in the import report (docs/IMPORT.md#when-only-the-lstm-stack-opens).
// Cut, in this order of preference: the head (the layers after the last LSTM: no outputs, attribution
// targets are units), the front end (the layers before the first LSTM: the input is the first LSTM's input
// features, from a CSV table), or both.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/formats/foreign/import_report.h"
#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {

// Maps a (cut) model file as a whole, or throws InputError: keras_mapping.cpp's whole-model mapping.
using KerasWholeMapping = std::function<ImportedModel(const KerasModelFile&, const std::optional<LoadedVocabulary>&)>;

// The LSTM stack of `file` mapped with the least cut off, or nothing when no cut maps (the LSTMs themselves
// are beyond support, or the file has none). `whyNotWhole` is the whole model's error, without the file.
std::optional<ImportedModel> mapKerasLstmStack(const KerasModelFile& file, const std::optional<LoadedVocabulary>& vocab,
                                               const std::string& whyNotWhole, const KerasWholeMapping& mapWhole);

// An encoder–decoder's encoder alone (ImportChoices::part "encoder"): the layers before its first RepeatVector,
// with the decoder and head said as cut off; nothing when the file has no RepeatVector.
std::optional<ImportedModel> mapKerasEncoder(const KerasModelFile& file, const std::optional<LoadedVocabulary>& vocab,
                                             const KerasWholeMapping& mapWhole);

}  // namespace lstmscope
