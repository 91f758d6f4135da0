// A Keras model as its files describe it, independent of which file it came from (legacy .h5, Keras 3
// .keras/.weights.h5, TF.js model.json): the layers in model order with their configs and weights.
// keras_mapping.h turns it into a Model.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/formats/foreign/tensor_set.h"
#include "core/formats/foreign/vocabulary_file.h"

namespace lstmscope {

struct KerasLayer {
  std::string className;  // "LSTM", "Bidirectional", "Dense", "Embedding", … ("" when only weights are known)
  std::string name;
  nlohmann::json config;             // the layer's own config object; null when the file has no architecture
  std::vector<NamedTensor> weights;  // in the order the file lists them (kernel, recurrent kernel, bias, …)
  // The layers whose outputs it reads, by name (Functional configs only; empty for Sequential models and
  // weights-only files).
  std::vector<std::string> inputs;
};

struct KerasModelFile {
  std::string format;   // "Keras 2 HDF5 (tf.keras 2.3.0)", …
  int generation = 2;   // 1, 2 or 3: decides Keras 1's 12-array LSTMs and what "hard_sigmoid" means
  std::string version;  // keras_version as written ("2.1.2", "2.2.4-tf"), empty for Keras 1
  bool hasArchitecture = false;
  std::vector<KerasLayer> layers;
  // A .keras archive whose model starts with TextVectorization/StringLookup carries its vocabulary.
  std::optional<LoadedVocabulary> vocabulary;
  // What reading the file assumed: the layer order reconstructed from shapes (Keras 3 weights without a
  // config), an architecture taken from a JSON file beside the weights, or one found there and not used.
  std::vector<std::string> fileAssumptions;
};

// Python's json module writes NaN and Infinity, which are not JSON: they become null (outside strings).
nlohmann::json parseKerasJson(const std::string& text, const std::string& source);

// The layers of a model config: Sequential (Keras 1 and 2.0-2.1 store the list as the config itself),
// Functional/Model (chains: each layer's single input is the layer before it, except a Concatenate, which
// may read any earlier layers: skip connections), Keras 3 (with module/registered_name keys). Weights are
// left empty.
std::vector<KerasLayer> kerasLayersFromConfig(const nlohmann::json& model, const std::string& source);

// A TextVectorization layer's `standardize` applied to the vocabulary its ids index: "lower" lowercases the
// text, "strip_punctuation" removes Keras' punctuation (DEFAULT_STRIP_REGEX) before splitting.
struct TextStandardization {
  std::string applied;      // what was applied, in words for the import report ("" for nothing)
  std::string unsupported;  // a custom standardize function, which LSTMScope cannot run ("" when none)
};
TextStandardization applyTextVectorizationStandardize(const KerasLayer& layer, Vocabulary& vocab);

// A layer's activation under `key`: Keras serialises it as a name, or (Keras 3, custom objects) as
// {"config": name, …}; `fallback` when absent or null, "?" when unreadable.
std::string kerasActivationName(const nlohmann::json& config, const char* key, const char* fallback);

// Keras' naming.to_snake_case: "TimeDistributed" -> "time_distributed", "LSTM" -> "lstm".
std::string kerasSnakeCase(const std::string& className);

}  // namespace lstmscope
