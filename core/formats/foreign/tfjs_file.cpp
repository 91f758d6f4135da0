#include "core/formats/foreign/tfjs_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/common/input_file.h"

namespace lstmscope {

namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMaxJsonBytes = uint64_t(64) << 20, kMaxWeightBytes = uint64_t(16) << 30;
constexpr size_t kSniffBytes = 64 << 10;

std::string readSmallFile(const std::string& path, uint64_t limit) {
  requireRegularFile(path);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw InputError(path, "cannot be opened");
  if (size > limit) throw InputError(path, "is larger than " + std::to_string(limit >> 20) + " MB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One weight's values from the concatenated shard bytes at `offset`; advances it.
NamedTensor readWeight(const nlohmann::json& spec, const std::string& bytes, size_t& offset, const std::string& where) {
  NamedTensor t{spec.at("name").get<std::string>(), spec.at("shape").get<std::vector<int64_t>>(), {}};
  uint64_t count = 1;
  for (int64_t d : t.shape) {
    if (d < 0 || d > (int64_t(1) << 40)) throw InputError(where, "weight " + t.name + " has an impossible shape");
    count *= static_cast<uint64_t>(d);
    if (count > (uint64_t(1) << 34)) throw InputError(where, "weight " + t.name + " is absurdly large");
  }
  std::string dtype = spec.value("dtype", "float32");
  const nlohmann::json q = spec.value("quantization", nlohmann::json());
  if (q.is_object()) dtype = q.at("dtype").get<std::string>();
  const size_t width = dtypeSize(dtype);
  if (!width) throw InputError(where, "weight " + t.name + " has dtype " + dtype + ", which cannot hold weights");
  if (count * width > bytes.size() - offset)
    throw InputError(where, "the shards end before weight " + t.name + " (truncated or a shard missing)");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
  offset += count * width;
  convertToFloat(dtype, data, count, t.values);
  if (q.is_object() && (dtype == "uint8" || dtype == "uint16")) {  // affine: q * scale + min
    const float scale = q.at("scale").get<float>(), min = q.at("min").get<float>();
    for (float& v : t.values) v = v * scale + min;
  }
  return t;
}

// A layer's weights in Keras order: forward direction before backward, then kernel, recurrent kernel, bias.
int weightRank(const std::string& name) {
  const bool backward = name.find("backward") != std::string::npos;
  const int kind = name.ends_with("recurrent_kernel") ? 1 : name.ends_with("bias") ? 2 : 0;
  return (backward ? 10 : 0) + kind;
}

}  // namespace

// Reads a bounded prefix, never the whole model.json (which may be tens of MB): both writers put the
// modelTopology key near the start (tfjs-layers first, the converter after three short fields), and the
// weightsManifest follows the topology, so only the reader looks for it.
bool looksLikeTfjsModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  const size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || head[first] != '{') return false;
  static constexpr std::string_view kKey = "\"modelTopology\"";
  for (size_t at = head.find(kKey); at != std::string::npos; at = head.find(kKey, at + 1)) {
    const size_t colon = head.find_first_not_of(" \t\r\n", at + kKey.size());
    if (colon != std::string::npos && head[colon] == ':') return true;
  }
  return false;
}

KerasModelFile readTfjsModel(const std::string& path) {
  const nlohmann::json root = parseKerasJson(readSmallFile(path, kMaxJsonBytes), path);
  // looksLikeTfjsModel saw the key in the text, not necessarily at the top level.
  if (!root.is_object() || !root.contains("modelTopology"))
    throw InputError(path, "is not a TensorFlow.js model (it has no top-level modelTopology)");
  const nlohmann::json& topology = root["modelTopology"];
  const nlohmann::json& config = topology.contains("model_config") ? topology["model_config"] : topology;
  KerasModelFile model;
  model.generation = 2;
  model.hasArchitecture = true;
  model.format = "TensorFlow.js layers model" + (root.contains("generatedBy") && root["generatedBy"].is_string()
                                                     ? " (" + root["generatedBy"].get<std::string>() + ")"
                                                     : std::string());
  model.layers = kerasLayersFromConfig(config, path);

  // Every group's shards, concatenated in order; the group's weights follow one another in it.
  std::vector<NamedTensor> weights;
  try {
    for (const auto& group : root.at("weightsManifest")) {
      std::string bytes;
      std::string where = path;
      for (const auto& shard : group.at("paths")) {
        const fs::path name = shard.get<std::string>();
        // Shards sit beside model.json; a manifest must not reach elsewhere on the disk.
        if (name.is_absolute() || std::any_of(name.begin(), name.end(), [](const fs::path& p) { return p == ".."; }))
          throw InputError(path, "names a shard outside its directory: " + name.string());
        const fs::path file = fs::path(path).parent_path() / name;
        bytes += readSmallFile(file.string(), kMaxWeightBytes);
        where = path + " (shard " + name.string() + ")";
      }
      size_t offset = 0;
      for (const auto& spec : group.at("weights")) weights.push_back(readWeight(spec, bytes, offset, where));
      if (offset != bytes.size())
        throw InputError(where, "the shards hold " + std::to_string(bytes.size() - offset) +
                                    " bytes more than the manifest's weights");
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("has a malformed weightsManifest (") + e.what() + ")");
  }
  for (KerasLayer& layer : model.layers) {
    for (const NamedTensor& w : weights)
      if (w.name.starts_with(layer.name + "/")) layer.weights.push_back(w);
    std::stable_sort(layer.weights.begin(), layer.weights.end(), [](const NamedTensor& a, const NamedTensor& b) {
      return weightRank(a.name) < weightRank(b.name);
    });
  }
  return model;
}

}  // namespace lstmscope
