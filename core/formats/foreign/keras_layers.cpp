#include "core/formats/foreign/keras_layers.h"

#include <regex>

#include "core/common/error.h"

namespace lstmscope {

nlohmann::json parseKerasJson(const std::string& text, const std::string& source) {
  std::string clean;
  clean.reserve(text.size());
  bool inString = false;
  for (size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (inString) {
      clean += c;
      if (c == '\\' && k + 1 < text.size())
        clean += text[++k];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') inString = true;
    const auto replace = [&](const char* word) {
      const size_t n = std::char_traits<char>::length(word);
      if (text.compare(k, n, word) != 0) return false;
      clean += "null";
      k += n - 1;
      return true;
    };
    if (replace("-Infinity") || replace("Infinity") || replace("NaN")) continue;
    clean += c;
  }
  try {
    return nlohmann::json::parse(clean);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source, std::string("holds a model config that is not valid JSON (") + e.what() + ")");
  }
}

std::vector<KerasLayer> layersOf(const nlohmann::json& model, const std::string& source);

std::vector<KerasLayer> kerasLayersFromConfig(const nlohmann::json& model, const std::string& source) {
  try {
    return layersOf(model, source);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source, std::string("has a model config with a value of the wrong type (") + e.what() + ")");
  }
}

std::vector<KerasLayer> layersOf(const nlohmann::json& model, const std::string& source) {
  const std::string cls = model.value("class_name", "");
  const nlohmann::json& config = model.contains("config") ? model["config"] : nlohmann::json();
  const nlohmann::json& list = config.is_array()           ? config
                               : config.contains("layers") ? config["layers"]
                                                           : nlohmann::json();
  if (!list.is_array()) throw InputError(source, "model_config of class " + cls + " lists no layers");
  if (cls != "Sequential" && cls != "Model" && cls != "Functional")
    throw InputError(source, "model_config describes a " + cls + "; LSTMScope reads Sequential and Functional models");
  std::vector<KerasLayer> layers;
  std::string previous;
  for (const auto& l : list) {
    KerasLayer layer;
    layer.className = l.value("class_name", "");
    layer.config = l.contains("config") ? l["config"] : nlohmann::json::object();
    layer.name =
        l.contains("name") && l["name"].is_string() ? l["name"].get<std::string>() : layer.config.value("name", "");
    if (layer.className == "Sequential" || layer.className == "Functional" || layer.className == "Model")
      throw InputError(source, "layer " + layer.name + " is a nested model, which LSTMScope does not read");
    // A functional graph must be a chain: each layer's single input is the layer before it.
    if (l.contains("inbound_nodes") && l["inbound_nodes"].is_array() && !l["inbound_nodes"].empty()) {
      const std::string text = l["inbound_nodes"].dump();
      if (l["inbound_nodes"].size() > 1 ||
          (!previous.empty() && text.find("\"" + previous + "\"") == std::string::npos))
        throw InputError(source, "layer " + layer.name + " does not take the previous layer (" + previous +
                                     ") as its only input; LSTMScope reads chains of layers, not branching graphs");
    }
    previous = layer.name;
    layers.push_back(std::move(layer));
  }
  return layers;
}

std::string kerasSnakeCase(const std::string& className) {
  std::string s = std::regex_replace(className, std::regex(R"(\W+)"), "");
  s = std::regex_replace(s, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace lstmscope
