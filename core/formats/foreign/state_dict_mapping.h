// Turns the tensors of a file that does not describe its architecture (a PyTorch state dict, a
// safetensors file) into a model by their names and shapes: nn.LSTM tensors (weight_ih_l{k}[_reverse]) give
// the layers, the 2-D weight whose width feeds layer 0 is the embedding, and the chain of linear layers
// whose input is the last layer's width is the head. Without an embedding the input is one-hot tokens
// when a vocabulary of its width is given or the head has as many outputs as the input is wide (a
// char-rnn language model), numeric features otherwise. Whatever had to be assumed is in the report.
#pragma once

#include <optional>
#include <string>

#include "core/formats/foreign/import_report.h"
#include "core/formats/foreign/tensor_set.h"

namespace lstmscope {

// `vocab`: the user's vocabulary file, if any. Throws InputError naming `source` and the tensor for
// unsupported parts (GRU, projections), missing or inconsistent tensors and non-finite weights.
ImportedModel mapStateDict(const TensorSet& tensors, const ImportChoices& choices,
                           const std::optional<LoadedVocabulary>& vocab, const std::string& source);

}  // namespace lstmscope
