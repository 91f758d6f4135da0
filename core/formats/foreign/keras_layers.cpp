#include "core/formats/foreign/keras_layers.h"

#include <algorithm>
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

namespace {

// The names of the layers a layer's inbound_nodes read: Keras 2 writes [[["name", node, tensor, {}], …]],
// Keras 3 {"args": [{"config": {"keras_history": ["name", node, tensor]}}, …]}.
void collectInboundNames(const nlohmann::json& j, std::vector<std::string>& names) {
  if (j.is_object()) {
    if (j.contains("keras_history") && j["keras_history"].is_array() && !j["keras_history"].empty() &&
        j["keras_history"][0].is_string()) {
      names.push_back(j["keras_history"][0].get<std::string>());
      return;
    }
    for (const auto& [key, value] : j.items())
      if (key != "kwargs") collectInboundNames(value, names);  // a Keras 3 mask there is no input
  } else if (j.is_array()) {
    if (j.size() >= 3 && j[0].is_string() && j[1].is_number_integer()) {
      names.push_back(j[0].get<std::string>());
      return;
    }
    for (const auto& value : j) collectInboundNames(value, names);
  }
}

}  // namespace

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
  // A model without any recurrent layer (nested models included) is refused for that, not for its graph's shape.
  const std::string whole = model.dump();
  if (whole.find("LSTM") == std::string::npos && whole.find("GRU") == std::string::npos &&
      whole.find("RNN") == std::string::npos)
    throw InputError(source,
                     "has no LSTM layer (LSTMScope opens models with LSTM, CuDNNLSTM or Bidirectional(LSTM) "
                     "layers)");
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
    // A functional graph must be a chain: each layer's single input is the layer before it. A Concatenate
    // may read any earlier layers (skip connections); the mapping checks what it joins.
    if (l.contains("inbound_nodes") && l["inbound_nodes"].is_array() && !l["inbound_nodes"].empty()) {
      collectInboundNames(l["inbound_nodes"], layer.inputs);
      const bool joins = layer.className == "Concatenate";
      const auto earlier = [&](const std::string& n) {
        return std::any_of(layers.begin(), layers.end(), [&](const KerasLayer& k) { return k.name == n; });
      };
      // (A Keras 3 node may also name the layer its mask comes from, so the previous layer need only be among them.)
      const bool chained = previous.empty() || std::count(layer.inputs.begin(), layer.inputs.end(), previous) > 0;
      const bool joinsEarlier =
          joins && !layer.inputs.empty() && std::all_of(layer.inputs.begin(), layer.inputs.end(), earlier);
      if (l["inbound_nodes"].size() > 1 || !(chained || joinsEarlier)) {
        std::string reads;  // what the layer reads, which the user can find in their model's summary
        for (const std::string& n : layer.inputs) reads += (reads.empty() ? "" : ", ") + n;
        throw InputError(source, "layer " + layer.name + " reads " + (reads.empty() ? "no layer" : reads) +
                                     (l["inbound_nodes"].size() > 1 ? " (it is called more than once)" : "") +
                                     ", not the layer before it (" + previous +
                                     "): the model's graph branches, and LSTMScope reads chains of layers (with "
                                     "skip connections joined by Concatenate into a pooling head)");
      }
    }
    previous = layer.name;
    layers.push_back(std::move(layer));
  }
  return layers;
}

TextStandardization applyTextVectorizationStandardize(const KerasLayer& layer, Vocabulary& vocab) {
  if (layer.className != "TextVectorization") return {};
  const nlohmann::json& c = layer.config;
  const std::string standardize = !c.is_object() || !c.contains("standardize") ? "lower_and_strip_punctuation"
                                  : c["standardize"].is_string()               ? c["standardize"].get<std::string>()
                                                                               : "";
  const bool lower = standardize.find("lower") != std::string::npos;
  const bool strip = standardize.find("strip_punctuation") != std::string::npos;
  const bool none = c.is_object() && c.contains("standardize") && c["standardize"].is_null();
  const bool known = none || standardize == "lower" || standardize == "strip_punctuation" ||
                     standardize == "lower_and_strip_punctuation";
  if (!known)
    return {"", "layer " + layer.name + " standardizes text with " + (c.is_object() ? c["standardize"].dump() : "?") +
                    ", a function LSTMScope cannot run: give text already standardized that way"};
  if (!lower && !strip) return {};
  // Keras' DEFAULT_STRIP_REGEX: r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'.
  if (strip) vocab.setStrippedCharacters("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'");
  if (lower && !vocab.lowercase()) {
    Vocabulary lowered(vocab.level(), vocab.tokens(), true, vocab.unk());
    lowered.setWordSeparators(vocab.wordSeparators());
    lowered.setStrippedCharacters(vocab.strippedCharacters());
    lowered.setDropUnknown(vocab.dropsUnknown());
    vocab = std::move(lowered);
  }
  return {"layer " + layer.name + " standardizes text as " + standardize + ": " +
              (lower ? std::string("lowercased") : std::string()) + (lower && strip ? ", " : "") +
              (strip ? "punctuation removed before splitting" : ""),
          ""};
}

std::string kerasSnakeCase(const std::string& className) {
  std::string s = std::regex_replace(className, std::regex(R"(\W+)"), "");
  s = std::regex_replace(s, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string kerasActivationName(const nlohmann::json& config, const char* key, const char* fallback) {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  const nlohmann::json& a = config[key];
  if (a.is_string()) return a.get<std::string>();
  if (a.is_object() && a.contains("config") && a["config"].is_string()) return a["config"].get<std::string>();
  if (a.is_object() && a.contains("class_name") && a["class_name"].is_string())
    return a["class_name"].get<std::string>();
  return "?";
}

}  // namespace lstmscope
