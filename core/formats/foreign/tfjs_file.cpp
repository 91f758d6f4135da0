#include "core/formats/foreign/tfjs_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"

namespace lstmscope {

namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMaxJsonBytes = uint64_t(64) << 20, kMaxWeightBytes = uint64_t(16) << 30;

std::string readSmallFile(const std::string& path, uint64_t limit) {
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

bool looksLikeTfjsModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char first = 0;
  if (!(in >> first) || first != '{') return false;
  std::error_code ec;
  if (fs::file_size(path, ec) > kMaxJsonBytes) return false;
  const auto j = nlohmann::json::parse(readSmallFile(path, kMaxJsonBytes), nullptr, false);
  return j.is_object() && j.contains("modelTopology") && j.contains("weightsManifest");
}

KerasModelFile readTfjsModel(const std::string& path) {
  const nlohmann::json root = parseKerasJson(readSmallFile(path, kMaxJsonBytes), path);
  const nlohmann::json& topology = root.at("modelTopology");
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
