#include "core/formats/foreign/keras_h5.h"

#include <algorithm>
#include <filesystem>

#include "core/common/error.h"
#include "core/formats/foreign/keras_sibling_config.h"
#include "core/formats/hdf5.h"

namespace lstmscope {

namespace {

// A list-of-names attribute as Keras writes it: fixed-length or variable-length strings, split into
// name0, name1, … when it exceeds HDF5's 64 KB attribute limit, and an empty list stored as a float array
// of shape (0).
std::vector<std::string> nameList(hid_t obj, const std::string& name) {
  std::vector<std::string> names;
  if (h5::hasAttr(obj, name)) {
    if (h5::attrElementCount(obj, name) == 0) return names;
    return *h5::readStringListAttr(obj, name);
  }
  for (int chunk = 0; h5::hasAttr(obj, name + std::to_string(chunk)); ++chunk) {
    const auto part = h5::readStringListAttr(obj, name + std::to_string(chunk));
    names.insert(names.end(), part->begin(), part->end());
  }
  return names;
}

NamedTensor readWeight(hid_t group, const std::string& layer, const std::string& weightName,
                       const std::string& source) {
  if (!h5::exists(group, weightName))
    throw InputError(source, "layer " + layer + " lists weight " + weightName + ", which the file does not hold");
  const h5::FloatArray a = h5::readFloats(group, weightName, source + " (layer " + layer + ")");
  NamedTensor t{weightName, {}, std::move(a.values)};
  for (hsize_t d : a.dims) t.shape.push_back(static_cast<int64_t>(d));
  return t;
}

// The stored layers that hold weights: the ones an architecture found elsewhere must name.
std::vector<std::string> layersWithWeights(hid_t root, const std::vector<std::string>& stored,
                                           const std::string& path) {
  std::vector<std::string> names;
  for (const std::string& name : stored) {
    if (!h5::exists(root, name)) continue;
    const h5::Handle group = h5::openGroup(root, name, path);
    if (!nameList(group.get(), "weight_names").empty()) names.push_back(name);
  }
  return names;
}

int generationOf(const std::string& kerasVersion) {
  if (kerasVersion.empty()) return 1;  // Keras 1 wrote no keras_version
  return kerasVersion[0] == '3' ? 3 : kerasVersion[0] == '1' ? 1 : 2;
}

}  // namespace

bool looksLikeKerasH5(const std::string& path) {
  if (!h5::isHdf5File(path)) return false;
  try {
    const h5::File f = h5::File::openReadOnly(path);
    if (h5::hasAttr(f.id(), "model_config") || h5::hasAttr(f.id(), "layer_names") ||
        h5::hasAttr(f.id(), "layer_names0"))
      return true;
    if (!h5::exists(f.id(), "model_weights")) return false;
    const h5::Handle g = h5::openGroup(f.id(), "model_weights", path);
    return h5::hasAttr(g.get(), "layer_names") || h5::hasAttr(g.get(), "layer_names0");
  } catch (const InputError&) {
    return false;
  }
}

KerasModelFile readKerasH5(const std::string& path) {
  const h5::File f = h5::File::openReadOnly(path);
  KerasModelFile model;
  const std::string version = h5::readStringAttr(f.id(), "keras_version").value_or("");
  model.generation = generationOf(version);
  model.version = version;
  const bool whole = h5::exists(f.id(), "model_weights");
  const h5::Handle weightsRoot =
      whole ? h5::openGroup(f.id(), "model_weights", path) : h5::Handle(H5Gopen2(f.id(), "/", H5P_DEFAULT), H5Gclose);
  const std::string weightsVersion = h5::readStringAttr(weightsRoot.get(), "keras_version").value_or(version);
  if (!whole) model.generation = generationOf(weightsVersion), model.version = weightsVersion;
  model.format = std::string("Keras ") + std::to_string(model.generation) + " HDF5" + (whole ? "" : " weights-only") +
                 (weightsVersion.empty() ? "" : " (keras " + weightsVersion + ")");

  if (const auto config = h5::readStringAttr(f.id(), "model_config")) {
    model.hasArchitecture = true;
    model.layers = kerasLayersFromConfig(parseKerasJson(*config, path), path);
  }
  const std::vector<std::string> stored = nameList(weightsRoot.get(), "layer_names");
  if (stored.empty() && !model.hasArchitecture) throw InputError(path, "lists no layers (layer_names is empty)");
  if (!model.hasArchitecture) {
    if (const auto sibling =
            findSiblingConfig(path, layersWithWeights(weightsRoot.get(), stored, path), model.fileAssumptions)) {
      const std::string name = std::filesystem::path(sibling->path).filename().string();
      model.hasArchitecture = true;
      model.layers = kerasLayersFromConfig(sibling->model, sibling->path);
      model.format += ", architecture from " + name;
      model.fileAssumptions.push_back("the architecture is read from " + name +
                                      " beside the weights (model.to_json()): its layers are the weights file's");
    }
  }
  if (!model.hasArchitecture)
    for (const auto& name : stored) model.layers.push_back({"", name, nullptr, {}});

  for (KerasLayer& layer : model.layers) {
    if (std::find(stored.begin(), stored.end(), layer.name) == stored.end()) continue;  // no weights (Dropout, …)
    const h5::Handle group = h5::openGroup(weightsRoot.get(), layer.name, path);
    for (const auto& weightName : nameList(group.get(), "weight_names"))
      layer.weights.push_back(readWeight(group.get(), layer.name, weightName, path));
  }
  return model;
}

}  // namespace lstmscope
