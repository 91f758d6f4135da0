#include "core/formats/foreign/torch_file.h"

#include <cstring>
#include <fstream>
#include <functional>
#include <map>

#include "core/common/error.h"
#include "core/formats/foreign/pickle.h"
#include "core/formats/foreign/zip_archive.h"

namespace lstmscope {

namespace {

using pickle::Value;
using pickle::ValuePtr;

constexpr uint64_t kMaxPickleBytes = uint64_t(256) << 20;
constexpr uint64_t kMaxStorageBytes = uint64_t(16) << 30;
constexpr int kMaxDepth = 64;
// The legacy format's first pickle: this integer (torch/serialization.py's MAGIC_NUMBER).
constexpr unsigned char kLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                          0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};

// Storage blobs by key: raw little-endian bytes as the file holds them.
using StorageSource = std::function<const std::vector<unsigned char>&(const pickle::StorageRef&)>;

// ('storage', <torch.FloatStorage>, key, location, numel[, view_metadata]) -> a Storage value.
ValuePtr storageFromPid(const Value& pid, const std::string& source) {
  const auto bad = [&](const std::string& why) { return InputError(source, "a storage reference " + why); };
  if (!pid.is(Value::Kind::Tuple) || pid.items.size() < 5) throw bad("is not the tuple PyTorch writes");
  const auto& it = pid.items;
  if (!it[0]->is(Value::Kind::Str) || it[0]->text != "storage") throw bad("is not of kind 'storage'");
  if (!it[1]->is(Value::Kind::Global)) throw bad("does not name a storage class");
  const std::string dtype = pickle::storageDtype(it[1]->text);
  if (dtype.empty()) throw bad("names " + it[1]->text + ", which is not a tensor storage type");
  if (!it[2]->is(Value::Kind::Str)) throw bad("has no key");
  if (!it[4]->is(Value::Kind::Int) || it[4]->integer < 0) throw bad("has no element count");
  auto v = std::make_shared<Value>();
  v->kind = Value::Kind::Storage;
  v->tensor = std::make_shared<pickle::TensorRef>();
  v->tensor->storage = {it[2]->text, dtype, it[4]->integer};
  return v;
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

struct Collected {
  std::vector<std::pair<std::string, pickle::TensorRef>> tensors;
  std::map<std::string, std::string> facts;
  size_t visits = 0;  // a value shared by several holders is visited once per path to it
};

// A crafted pickle can make a few hundred dicts each hold the previous one twice: 2^64 paths to walk.
// Real files have one path per tensor (a tied weight: two), so a generous cap costs them nothing.
constexpr size_t kMaxVisits = size_t(1) << 22;

bool isScalar(const Value& v) {
  return v.is(Value::Kind::Bool) || v.is(Value::Kind::Int) || v.is(Value::Kind::Float) || v.is(Value::Kind::Str) ||
         v.is(Value::Kind::None);
}

// Walks the unpickled root: tensors anywhere under string (or integer) dict keys, and nn.Module records.
void collect(const Value& v, const std::string& prefix, int depth, Collected& out) {
  if (depth > kMaxDepth || ++out.visits > kMaxVisits) return;  // nothing real nests or repeats this much
  if (v.is(Value::Kind::Tensor)) {
    out.tensors.emplace_back(prefix.empty() ? "tensor" : prefix, *v.tensor);
  } else if (v.is(Value::Kind::Dict)) {
    for (const auto& [key, value] : v.entries) {
      if (!key || !value) continue;
      if (key->is(Value::Kind::Str))
        collect(*value, join(prefix, key->text), depth + 1, out);
      else if (key->is(Value::Kind::Int))
        collect(*value, join(prefix, std::to_string(key->integer)), depth + 1, out);
    }
  } else if (v.is(Value::Kind::Object)) {
    out.facts[join(prefix, "__class__")] = v.text;
    if (!v.state || !v.state->is(Value::Kind::Dict)) return;
    for (const auto& [key, value] : v.state->entries) {
      if (!key || !value || !key->is(Value::Kind::Str)) continue;
      const std::string& k = key->text;
      if (k == "_parameters" || k == "_buffers" || k == "_modules")
        collect(*value, prefix, depth + 1, out);
      else if (!k.starts_with('_') && (isScalar(*value) || value->is(Value::Kind::Tuple)))
        out.facts[join(prefix, k)] = value->describe();
    }
  } else if (v.is(Value::Kind::List) || v.is(Value::Kind::Tuple)) {
    for (size_t k = 0; k < v.items.size(); ++k)
      if (v.items[k]) collect(*v.items[k], join(prefix, std::to_string(k)), depth + 1, out);
  }
}

// Copies a strided view of a storage into a row-major tensor, checking that it stays inside.
NamedTensor materialise(const std::string& name, const pickle::TensorRef& ref, const std::vector<float>& storage,
                        const std::string& source) {
  const std::string where = source + " (tensor " + name + ")";
  NamedTensor t{name, ref.size, {}};
  int64_t count = 1, last = ref.offset;
  if (ref.offset < 0) throw InputError(where, "has a negative storage offset");
  for (size_t k = 0; k < ref.size.size(); ++k) {
    if (ref.size[k] < 0 || ref.stride[k] < 0 || ref.size[k] > (int64_t(1) << 40) || ref.stride[k] > (int64_t(1) << 40))
      throw InputError(where, "has an impossible size or stride " + t.shapeText());
    if (ref.size[k] == 0)
      count = 0;
    else if (count > 0 && (count *= ref.size[k]) > (int64_t(1) << 34))
      throw InputError(where, "is absurdly large " + t.shapeText());
    if (ref.size[k] > 0) last += (ref.size[k] - 1) * ref.stride[k];
  }
  if (count > 0 && last >= static_cast<int64_t>(storage.size()))
    throw InputError(
        where, "reads element " + std::to_string(last) + " of a storage holding " + std::to_string(storage.size()));
  t.values.resize(static_cast<size_t>(count));
  std::vector<int64_t> index(ref.size.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t at = ref.offset;
    for (size_t k = 0; k < index.size(); ++k) at += index[k] * ref.stride[k];
    t.values[static_cast<size_t>(n)] = storage[static_cast<size_t>(at)];
    for (size_t k = index.size(); k-- > 0;) {  // odometer, last dimension fastest
      if (++index[k] < ref.size[k]) break;
      index[k] = 0;
    }
  }
  return t;
}

TensorSet assemble(const ValuePtr& root, const StorageSource& blobOf, const std::string& source) {
  Collected found;
  collect(*root, "", 0, found);
  if (found.visits > kMaxVisits)
    throw InputError(source, "shares its values so often that walking it would visit more than " +
                                 std::to_string(kMaxVisits) + " of them; weights files never do");
  TensorSet set;
  set.moduleFacts = std::move(found.facts);
  std::map<std::string, std::vector<float>> converted;  // storage key -> its elements as float
  for (const auto& [name, ref] : found.tensors) {
    auto it = converted.find(ref.storage.key);
    if (it == converted.end()) {
      const std::vector<unsigned char>& blob = blobOf(ref.storage);
      const size_t width = dtypeSize(ref.storage.dtype);
      if (blob.size() < static_cast<uint64_t>(ref.storage.numel) * width)
        throw InputError(source, "storage " + ref.storage.key + " holds " + std::to_string(blob.size()) +
                                     " bytes, fewer than its " + std::to_string(ref.storage.numel) + " " +
                                     ref.storage.dtype + " elements need");
      std::vector<float> values;
      if (!convertToFloat(ref.storage.dtype, blob.data(), static_cast<size_t>(ref.storage.numel), values))
        throw InputError(
            source, "storage " + ref.storage.key + " has dtype " + ref.storage.dtype + ", which cannot hold weights");
      it = converted.emplace(ref.storage.key, std::move(values)).first;
    }
    set.tensors.push_back(materialise(name, ref, it->second, source));
  }
  if (set.tensors.empty()) throw InputError(source, "holds no tensors (is it a PyTorch checkpoint of a model?)");
  return set;
}

TensorSet readZipFormat(const std::string& path) {
  ZipArchive zip(path);
  std::string prefix;
  for (const auto& name : zip.entries())
    if (name.ends_with("data.pkl") && (name == "data.pkl" || name.ends_with("/data.pkl")))
      prefix = name.substr(0, name.size() - 8);
  if (!zip.contains(prefix + "data.pkl"))
    throw InputError(path, "is a zip archive without a data.pkl entry, so not a PyTorch checkpoint");
  const std::vector<unsigned char> pkl = zip.read(prefix + "data.pkl", kMaxPickleBytes);
  std::map<std::string, std::vector<unsigned char>> blobs;
  const StorageSource blobOf = [&](const pickle::StorageRef& s) -> const std::vector<unsigned char>& {
    auto it = blobs.find(s.key);
    if (it == blobs.end()) {
      // A storage entry holds exactly its elements; a different size is damage, found before reading it.
      const std::string entry = prefix + "data/" + s.key;
      const auto size = zip.sizeOf(entry);
      const uint64_t expected = static_cast<uint64_t>(s.numel) * dtypeSize(s.dtype);
      if (size && *size != expected)
        throw InputError(path, "storage " + s.key + " holds " + std::to_string(*size) + " bytes, but its " +
                                   std::to_string(s.numel) + " " + s.dtype + " elements need " +
                                   std::to_string(expected));
      it = blobs.emplace(s.key, zip.read(entry, kMaxStorageBytes)).first;
    }
    return it->second;
  };
  size_t offset = 0;
  const auto root = pickle::load(
      pkl.data(), pkl.size(), offset, [&](const Value& pid) { return storageFromPid(pid, path); }, path);
  return assemble(root, blobOf, path);
}

std::vector<unsigned char> readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(path, "cannot be opened");
  const auto size = static_cast<uint64_t>(in.tellg());
  if (size > kMaxStorageBytes) throw InputError(path, "is larger than 16 GB");
  std::vector<unsigned char> bytes(size);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in) throw InputError(path, "cannot be read");
  return bytes;
}

// Legacy layout: magic pickle, protocol pickle, sys_info pickle, the object pickle, the pickled list of
// storage keys, then per key an int64 element count followed by the storage's bytes.
TensorSet readLegacyFormat(const std::string& path) {
  const std::vector<unsigned char> file = readWholeFile(path);
  if (file.size() < sizeof kLegacyMagic || std::memcmp(file.data(), kLegacyMagic, sizeof kLegacyMagic) != 0)
    throw InputError(path, "is not a legacy PyTorch checkpoint (no magic number)");
  size_t offset = sizeof kLegacyMagic;  // the magic number's pickle, checked byte for byte
  for (int k = 0; k < 2; ++k) pickle::load(file.data(), file.size(), offset, nullptr, path);  // protocol, sys_info
  std::map<std::string, pickle::StorageRef> declared;
  const auto root = pickle::load(
      file.data(), file.size(), offset,
      [&](const Value& pid) {
        auto v = storageFromPid(pid, path);
        declared[v->tensor->storage.key] = v->tensor->storage;
        return v;
      },
      path);
  const auto keys = pickle::load(file.data(), file.size(), offset, nullptr, path);
  if (!keys->is(Value::Kind::List)) throw InputError(path, "legacy checkpoint: the storage key list is missing");
  std::map<std::string, std::vector<unsigned char>> blobs;
  for (const auto& key : keys->items) {
    if (!key || !key->is(Value::Kind::Str)) throw InputError(path, "legacy checkpoint: a storage key is not text");
    const auto it = declared.find(key->text);
    const size_t width = it == declared.end() ? 0 : dtypeSize(it->second.dtype);
    if (!width) throw InputError(path, "legacy checkpoint: storage " + key->text + " is listed but never used");
    int64_t count = 0;
    if (file.size() - offset < 8) throw InputError(path, "is truncated (storage " + key->text + ")");
    std::memcpy(&count, file.data() + offset, 8);
    offset += 8;
    if (count < 0 || static_cast<uint64_t>(count) > (file.size() - offset) / width)
      throw InputError(path,
                       "is truncated (storage " + key->text + " announces " + std::to_string(count) + " elements)");
    const size_t bytes = static_cast<size_t>(count) * width;
    blobs[key->text].assign(file.begin() + static_cast<long>(offset), file.begin() + static_cast<long>(offset + bytes));
    offset += bytes;
  }
  const StorageSource blobOf = [&](const pickle::StorageRef& s) -> const std::vector<unsigned char>& {
    const auto it = blobs.find(s.key);
    if (it == blobs.end()) throw InputError(path, "storage " + s.key + " is missing from the file");
    return it->second;
  };
  return assemble(root, blobOf, path);
}

}  // namespace

bool looksLikeLegacyTorchFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[sizeof kLegacyMagic] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return in.gcount() == sizeof head && std::memcmp(head, kLegacyMagic, sizeof head) == 0;
}

TensorSet readTorchFile(const std::string& path) {
  if (ZipArchive::looksLikeZip(path)) return readZipFormat(path);
  if (looksLikeLegacyTorchFile(path)) return readLegacyFormat(path);
  throw InputError(path, "is neither a zip-format nor a legacy PyTorch checkpoint");
}

}  // namespace lstmscope
