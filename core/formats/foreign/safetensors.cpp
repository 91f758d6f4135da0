#include "core/formats/foreign/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace lstmscope {

namespace {

constexpr uint64_t kMaxHeader = uint64_t(100) << 20;  // the reference implementation's own limit

// safetensors' dtype names -> ours.
std::string dtypeName(const std::string& st) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"F32", "float32"}, {"F64", "float64"}, {"F16", "float16"}, {"BF16", "bfloat16"}, {"I64", "int64"},
      {"I32", "int32"},   {"I16", "int16"},   {"I8", "int8"},     {"U8", "uint8"},      {"BOOL", "bool"}};
  for (const auto& [from, to] : kNames)
    if (st == from) return to;
  return "";
}

uint64_t headerLength(std::ifstream& in) {
  unsigned char raw[8] = {};
  in.read(reinterpret_cast<char*>(raw), 8);
  if (in.gcount() != 8) return 0;
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = n << 8 | raw[k];
  return n;
}

}  // namespace

bool looksLikeSafetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const uint64_t n = headerLength(in);
  char first = 0;
  in.get(first);
  return n >= 2 && n <= kMaxHeader && in && first == '{';
}

TensorSet readSafetensors(const std::string& path) {
  std::error_code ec;
  const uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, "cannot be opened");
  std::ifstream in(path, std::ios::binary);
  const uint64_t n = headerLength(in);
  if (n < 2 || n > kMaxHeader || 8 + n > fileSize)
    throw InputError(path, "is not a safetensors file (its header length " + std::to_string(n) +
                               " does not fit the file of " + std::to_string(fileSize) + " bytes)");
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("safetensors header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) throw InputError(path, "safetensors header is not a JSON object");
  const uint64_t dataSize = fileSize - 8 - n;

  struct Entry {
    std::string name, dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = path + " (tensor " + name + ")";
    try {
      Entry e{name, dtypeName(info.at("dtype").get<std::string>()), info.at("shape").get<std::vector<int64_t>>(),
              info.at("data_offsets").at(0).get<uint64_t>(), info.at("data_offsets").at(1).get<uint64_t>()};
      if (e.dtype.empty())
        throw InputError(where, "has dtype " + info.at("dtype").get<std::string>() + ", which cannot hold weights");
      uint64_t count = 1;
      for (int64_t d : e.shape) {
        if (d < 0 || d > (int64_t(1) << 40)) throw InputError(where, "has an impossible shape");
        count = d == 0 ? 0 : count * static_cast<uint64_t>(d);
        if (count > (uint64_t(1) << 34)) throw InputError(where, "is absurdly large");
      }
      if (e.begin > e.end || e.end > dataSize || e.end - e.begin != count * dtypeSize(e.dtype))
        throw InputError(where, "has data offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                    "] that do not fit its shape or the file");
      entries.push_back(std::move(e));
    } catch (const nlohmann::json::exception& ex) {
      throw InputError(where, std::string("has a malformed header entry (") + ex.what() + ")");
    }
  }
  // The spec requires the data section to be exactly covered; a longer or shorter file is damaged.
  uint64_t covered = 0;
  for (const auto& e : entries) covered = std::max(covered, e.end);
  if (covered != dataSize)
    throw InputError(path, "is " + std::to_string(fileSize) + " bytes but its header describes " +
                               std::to_string(8 + n + covered) + " (truncated or padded)");
  // The file lists tensors in JSON key order (sorted); keep the data order, which is the writer's order.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  TensorSet set;
  std::vector<unsigned char> bytes;
  for (const auto& e : entries) {
    bytes.resize(e.end - e.begin);
    in.seekg(static_cast<std::streamoff>(8 + n + e.begin));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!in) throw InputError(path + " (tensor " + e.name + ")", "cannot be read");
    NamedTensor t{e.name, e.shape, {}};
    convertToFloat(e.dtype, bytes.data(), bytes.size() / dtypeSize(e.dtype), t.values);
    set.tensors.push_back(std::move(t));
  }
  if (set.tensors.empty()) throw InputError(path, "holds no tensors");
  return set;
}

}  // namespace lstmscope
