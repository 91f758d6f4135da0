// Keras 2 users often save a model as two files: `model.to_json()` written to a .json file and
// `model.save_weights()` to an .h5 (model.json + model.h5, lstm_architecture.json + lstm_weights.h5). The
// weights-only file names no layer classes and no activations; the JSON beside it says them all. LSTMScope
// looks for it next to the weights and reads the file as a whole model when its layers are the file's
// (docs/IMPORT.md "Architecture beside the weights").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lstmscope {

struct SiblingConfig {
  std::string path;      // the JSON file used
  nlohmann::json model;  // its parsed model config ({"class_name": "Sequential", "config": …})
};

// The JSON files that may hold `weightsPath`'s architecture, in the order tried: the same name with .json
// (model.h5 → model.json), then the name with "weights" replaced by "architecture", "model", "config" or
// "arch", or removed ("lstm_weights.h5" → "lstm_architecture.json", …, "lstm.json").
std::vector<std::string> siblingConfigCandidates(const std::string& weightsPath);

// The first candidate that exists, is a regular file under 16 MB, parses as a Keras model config, and
// names every layer in `layersWithWeights`. Candidates that exist but do not fit are said in `notes`
// ("lstm.json beside the weights is not used: it names no layer lstm_1"); a vocabulary or other JSON that
// is not a model config is passed over silently.
std::optional<SiblingConfig> findSiblingConfig(const std::string& weightsPath,
                                               const std::vector<std::string>& layersWithWeights,
                                               std::vector<std::string>& notes);

}  // namespace lstmscope
