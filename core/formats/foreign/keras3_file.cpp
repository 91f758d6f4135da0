#include "core/formats/foreign/keras3_file.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/formats/foreign/keras_guess.h"
#include "core/formats/foreign/zip_archive.h"
#include "core/formats/hdf5.h"

namespace lstmscope {

namespace {

constexpr uint64_t kMaxConfigBytes = uint64_t(64) << 20, kMaxWeightsBytes = uint64_t(16) << 30;

// The datasets of <group>/vars, in numeric order (HDF5 lists 0, 1, 10, 11, 2).
std::vector<NamedTensor> readVars(hid_t file, const std::string& group, const std::string& source) {
  std::vector<NamedTensor> out;
  std::string varsPath = group + "/vars";
  if (!h5::exists(file, varsPath)) {
    // Keras 3 saving on Windows joined the group names with os.path.join: "layers\\lstm\\cell/vars".
    std::string windows = group;
    std::replace(windows.begin(), windows.end(), '/', '\\');
    if (!h5::exists(file, windows + "/vars")) return out;
    varsPath = windows + "/vars";
  }
  const h5::Handle vars = h5::openGroup(file, varsPath, source);
  std::vector<std::string> names = h5::childNames(vars.get());
  for (const auto& n : names)
    if (n.empty() || !std::all_of(n.begin(), n.end(), ::isdigit))
      throw InputError(source, varsPath + " holds " + n + ", which is not a numbered variable");
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return std::stoll(a) < std::stoll(b); });
  for (const auto& n : names) {
    h5::FloatArray a = h5::readFloats(vars.get(), n, source + " (" + varsPath + ")");
    NamedTensor t{varsPath + "/" + n, {}, std::move(a.values)};
    for (hsize_t d : a.dims) t.shape.push_back(static_cast<int64_t>(d));
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<NamedTensor> layerWeightsAt(hid_t file, const std::string& path, const KerasLayer& layer,
                                        const std::string& source);

// Where a layer class keeps its variables below its own group; tensors are named relative to it
// ("forward_layer/cell/vars/0").
std::vector<NamedTensor> layerWeights(hid_t file, const std::string& path, const KerasLayer& layer,
                                      const std::string& source) {
  std::vector<NamedTensor> weights = layerWeightsAt(file, path, layer, source);
  for (NamedTensor& t : weights)
    if (t.name.starts_with(path + "/")) t.name.erase(0, path.size() + 1);
  return weights;
}

std::vector<NamedTensor> layerWeightsAt(hid_t file, const std::string& path, const KerasLayer& layer,
                                        const std::string& source) {
  if (layer.className == "Bidirectional") {
    std::vector<NamedTensor> w = readVars(file, path + "/forward_layer/cell", source);
    std::vector<NamedTensor> b = readVars(file, path + "/backward_layer/cell", source);
    w.insert(w.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
    return w;
  }
  if (layer.className == "LSTM") return readVars(file, path + "/cell", source);
  if (layer.className == "TimeDistributed") return readVars(file, path + "/layer", source);
  return readVars(file, path, source);
}

// Weights for config layers, by Keras 3's naming: snake_case class name, then _1, _2 … per class.
void attachWeights(KerasModelFile& model, hid_t file, bool sequential, const std::string& source) {
  std::map<std::string, int> used;
  for (KerasLayer& layer : model.layers) {
    if (sequential && layer.className == "InputLayer") continue;  // Sequential.layers leaves it out
    std::string name = kerasSnakeCase(layer.className);
    const int k = used.count(name) ? ++used[name] : (used[name] = 0);
    if (k) name += "_" + std::to_string(k);
    layer.weights = layerWeights(file, "layers/" + name, layer, source);  // none when it has no group
  }
}

// A TextVectorization/StringLookup vocabulary: inline in the config, or the archive's asset file.
std::optional<LoadedVocabulary> layerVocabulary(const KerasLayer& layer, const ZipArchive* zip,
                                                const std::string& path) {
  if (layer.className != "TextVectorization" && layer.className != "StringLookup") return std::nullopt;
  const nlohmann::json& c = layer.config;
  std::vector<std::string> tokens;
  std::string where = path + " (layer " + layer.name + ")";
  if (c.contains("vocabulary") && c["vocabulary"].is_array()) {
    for (const auto& t : c["vocabulary"]) tokens.push_back(t.is_string() ? t.get<std::string>() : "");
  } else if (zip) {
    std::string asset;
    for (const auto& e : zip->entries())
      if (e.starts_with("assets/") && e.ends_with("vocabulary.txt")) asset = e;
    if (asset.empty()) throw InputError(where, "has no vocabulary in its config or in the archive's assets");
    const std::vector<unsigned char> bytes = zip->read(asset, kMaxConfigBytes);
    std::string line;
    for (unsigned char ch : bytes) {
      if (ch == '\n')
        tokens.push_back(line), line.clear();
      else
        line += static_cast<char>(ch);
    }
    if (!line.empty()) tokens.push_back(line);
    where = path + " (entry " + asset + ")";
  } else {
    return std::nullopt;
  }
  // Keras prepends the mask token "" (id 0) and the OOV token (id 1) unless the file already lists them.
  const std::string oov = c.value("oov_token", std::string("[UNK]"));
  if (tokens.empty() || tokens[0] != "") tokens.insert(tokens.begin(), "");
  if (tokens.size() < 2 || tokens[1] != oov) tokens.insert(tokens.begin() + 1, oov);
  const bool characters = c.value("split", std::string("whitespace")) == "character";
  LoadedVocabulary v;
  v.path = where;
  v.format = "Keras " + layer.className + " vocabulary";
  v.vocab = Vocabulary(characters ? TokenLevel::Char : TokenLevel::Word, std::move(tokens), false, oov);
  // What the file says is applied without a word; a custom function it cannot run is reported.
  if (const TextStandardization s = applyTextVectorizationStandardize(layer, v.vocab); !s.unsupported.empty())
    v.guesses.push_back(s.unsupported);
  return v;
}

KerasModelFile fromConfigAndWeights(const nlohmann::json& config, hid_t weights, const std::string& source,
                                    const ZipArchive* zip) {
  KerasModelFile model;
  model.generation = 3;
  model.hasArchitecture = true;
  model.layers = kerasLayersFromConfig(config, source);
  attachWeights(model, weights, config.value("class_name", "") == "Sequential", source);
  for (const KerasLayer& layer : model.layers)
    if (auto v = layerVocabulary(layer, zip, source)) model.vocabulary = std::move(v);
  return model;
}

// Without a config: classes from the group names, order from the widths that chain them.
std::vector<KerasLayer> layersFromGroups(hid_t file, const std::string& source, std::vector<std::string>& notes) {
  const h5::Handle layers = h5::openGroup(file, "layers", source);
  std::vector<KerasLayer> found;
  for (const auto& name : h5::childNames(layers.get())) {
    const std::string base = name.substr(0, name.find_last_not_of("0123456789_") + 1);
    static const std::map<std::string, std::string> kClasses = {{"embedding", "Embedding"},
                                                                {"lstm", "LSTM"},
                                                                {"bidirectional", "Bidirectional"},
                                                                {"dense", "Dense"},
                                                                {"time_distributed", "TimeDistributed"}};
    const auto it = kClasses.find(base);
    KerasLayer layer{it == kClasses.end() ? "" : it->second, name, nullptr, {}};
    if (layer.className.empty()) {
      layer.weights = readVars(file, "layers/" + name, source);
      // A weightless layer that changes what the next one reads cannot be placed without the config.
      static const std::set<std::string> kShaping = {
          "global_max_pooling1d", "global_average_pooling1d", "flatten", "concatenate", "repeat_vector", "masking"};
      if (layer.weights.empty() && kShaping.count(base))
        throw InputError(source, "layer group " + name +
                                     " changes what the next layer reads, and a weights-only Keras 3 file does not "
                                     "say where it sits; open the .keras archive (it holds the model's config)");
      if (layer.weights.empty() && kerasIdentityName(base)) continue;  // dropout and friends
      if (layer.weights.empty())
        throw InputError(source, "layer group " + name +
                                     " has no weights, and a weights-only Keras 3 file does not say what it does or "
                                     "where it sits; open the .keras archive (it holds the model's config)");
      if (base == "batch_normalization" || base == "layer_normalization")
        throw InputError(source, "layer group " + name +
                                     " normalises each step, and a weights-only Keras 3 file does not say where it "
                                     "sits; open the .keras archive (it holds the model's config)");
      throw InputError(source, "layer group " + name + " holds weights of a kind LSTMScope does not read");
    }
    layer.weights = layerWeights(file, "layers/" + name, layer, source);
    found.push_back(std::move(layer));
  }
  // Order: the embedding, then recurrent layers and dense layers, each next one reading the current width.
  std::vector<KerasLayer> ordered;
  long width = -1;
  const auto take = [&](const std::vector<std::string>& classes) {
    for (bool progress = true; progress;) {
      progress = false;
      for (auto it = found.begin(); it != found.end(); ++it) {
        if (std::find(classes.begin(), classes.end(), it->className) == classes.end() || it->weights.empty()) continue;
        const long in = it->weights[0].dim(0);
        if (width >= 0 && in != width) continue;
        const auto& w = it->weights;
        width = it->className == "Embedding"       ? w[0].dim(1)
                : it->className == "Bidirectional" ? 2 * w[1].dim(0)
                : it->className == "LSTM"          ? w[1].dim(0)
                                                   : w[0].dim(1);
        ordered.push_back(std::move(*it));
        found.erase(it);
        progress = true;
        break;
      }
    }
  };
  take({"Embedding"});
  take({"LSTM", "Bidirectional"});
  take({"Dense", "TimeDistributed"});
  if (!found.empty()) throw InputError(source, "layer group " + found[0].name + " does not fit the chain of widths");
  notes.push_back("weights-only Keras 3 file: the layer order comes from the widths that chain them");
  return ordered;
}

}  // namespace

bool looksLikeKerasArchive(const std::string& path) {
  if (!ZipArchive::looksLikeZip(path)) return false;
  try {
    const ZipArchive zip(path);
    return zip.contains("config.json") && zip.contains("model.weights.h5");
  } catch (const InputError&) {
    return false;
  }
}

bool looksLikeKeras3Weights(const std::string& path) {
  if (!h5::isHdf5File(path)) return false;
  try {
    const h5::File f = h5::File::openReadOnly(path);
    return h5::exists(f.id(), "layers") && !h5::hasAttr(f.id(), "layer_names");
  } catch (const InputError&) {
    return false;
  }
}

KerasModelFile readKerasArchive(const std::string& path) {
  const ZipArchive zip(path);
  const std::vector<unsigned char> configBytes = zip.read("config.json", kMaxConfigBytes);
  const nlohmann::json config =
      parseKerasJson(std::string(configBytes.begin(), configBytes.end()), path + " (entry config.json)");
  const std::vector<unsigned char> weights = zip.read("model.weights.h5", kMaxWeightsBytes);
  const h5::File f = h5::File::openImage(weights, path + " (entry model.weights.h5)");
  KerasModelFile model = fromConfigAndWeights(config, f.id(), path, &zip);
  std::string version;
  if (zip.contains("metadata.json")) {
    const std::vector<unsigned char> meta = zip.read("metadata.json", kMaxConfigBytes);
    version = parseKerasJson(std::string(meta.begin(), meta.end()), path).value("keras_version", "");
  }
  model.format = "Keras 3 archive" + (version.empty() ? std::string() : " (keras " + version + ")");
  return model;
}

KerasModelFile readKeras3Weights(const std::string& path) {
  const h5::File f = h5::File::openReadOnly(path);
  KerasModelFile model;
  model.generation = 3;
  model.format = "Keras 3 weights-only HDF5";
  model.layers = layersFromGroups(f.id(), path, model.fileAssumptions);
  return model;
}

}  // namespace lstmscope
