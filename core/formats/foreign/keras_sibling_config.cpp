#include "core/formats/foreign/keras_sibling_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;  // a model config is kilobytes; a vocabulary may be more

bool isModelConfig(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("config")) return false;
  const std::string cls = j.value("class_name", "");
  return cls == "Sequential" || cls == "Model" || cls == "Functional";
}

}  // namespace

std::vector<std::string> siblingConfigCandidates(const std::string& weightsPath) {
  const fs::path weights(weightsPath);
  const std::string stem = weights.stem().string();
  std::vector<std::string> names{stem + ".json"};
  const size_t at = stem.find("weights");
  if (at != std::string::npos) {
    for (const char* word : {"architecture", "model", "config", "arch"})
      names.push_back(stem.substr(0, at) + word + stem.substr(at + 7) + ".json");
    std::string bare = stem.substr(0, at) + stem.substr(at + 7);  // "lstm_weights" → "lstm"
    while (!bare.empty() && (bare.back() == '_' || bare.back() == '-' || bare.back() == '.')) bare.pop_back();
    while (!bare.empty() && (bare.front() == '_' || bare.front() == '-' || bare.front() == '.')) bare.erase(0, 1);
    if (!bare.empty()) names.push_back(bare + ".json");
  }
  std::vector<std::string> paths;
  for (const std::string& name : names) {
    const std::string path = (weights.parent_path() / name).string();
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
  }
  return paths;
}

std::optional<SiblingConfig> findSiblingConfig(const std::string& weightsPath,
                                               const std::vector<std::string>& layersWithWeights,
                                               std::vector<std::string>& notes) {
  for (const std::string& path : siblingConfigCandidates(weightsPath)) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) continue;
    const std::string name = fs::path(path).filename().string();
    if (fs::file_size(path, error) > kMaxConfigBytes) {
      notes.push_back(name + " beside the weights is not used: it is over 16 MB, larger than any model config");
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    SiblingConfig found{path, {}};
    std::vector<KerasLayer> layers;
    try {
      found.model = parseKerasJson(text.str(), path);
      if (!isModelConfig(found.model)) continue;  // a vocabulary, a tokenizer's config, …
      layers = kerasLayersFromConfig(found.model, path);
    } catch (const InputError& e) {
      notes.push_back(name + " beside the weights is not used: " + e.what());
      continue;
    }
    const auto missing = std::find_if(layersWithWeights.begin(), layersWithWeights.end(), [&](const std::string& l) {
      return std::none_of(layers.begin(), layers.end(), [&](const KerasLayer& k) { return k.name == l; });
    });
    if (missing != layersWithWeights.end()) {
      notes.push_back(name + " beside the weights is not used: it is a model config, but it names no layer " +
                      *missing + ", which the weights file holds");
      continue;
    }
    return found;
  }
  return std::nullopt;
}

}  // namespace lstmscope
