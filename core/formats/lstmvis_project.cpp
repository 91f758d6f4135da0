#include "core/formats/lstmvis_project.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "core/formats/trace_file.h"
#include "core/formats/trace_meta.h"
#include "core/text/utf8.h"

namespace lstmscope {
namespace {

namespace fs = std::filesystem;

std::string scalar(const YAML::Node& node, const std::string& key, const std::string& yml, const std::string& where) {
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) throw InputError(yml, where + " has no '" + key + "'");
  return value.as<std::string>();
}

// A file named by its key in `files:` (or directly by name), resolved against the project's folder.
std::string fileOf(const YAML::Node& files, const std::string& key, const std::string& yml) {
  std::string name = key;
  if (files && files.IsMap() && files[key] && files[key].IsScalar()) name = files[key].as<std::string>();
  const fs::path path = fs::path(yml).parent_path() / name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw InputError(path.string(), "is named in " + yml + " (as '" + key + "') but is not a file");
  return path.string();
}

bool parseStateType(std::string type, Quantity& q) {
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type == "state" || type == "states" || type == "cell" || type == "cells") type = "c";
  if (type == "output" || type == "outputs" || type == "hidden") type = "h";
  return parseQuantity(type, q);
}

// A layer label's sort key: numbers numerically, then other labels by name; "L/fwd" and "L/bwd" (our
// exports) sort by L.
std::pair<long, std::string> layerKey(const std::string& label) {
  const std::string base = label.substr(0, label.find('/'));
  char* end = nullptr;
  const long number = std::strtol(base.c_str(), &end, 10);
  const bool numeric = !base.empty() && end && *end == '\0';
  return {numeric ? number : 1L << 40, numeric ? std::string() : base};
}

// Layers numbered in the order of their labels; a label ending in "/bwd" is the backward direction.
void numberLayers(std::vector<LstmvisStates>& states) {
  std::map<std::pair<long, std::string>, int> order;
  for (const LstmvisStates& s : states) order[layerKey(s.layer)] = 0;
  int k = 0;
  for (auto& [key, index] : order) index = k++;
  for (LstmvisStates& s : states) {
    const size_t slash = s.layer.find('/');
    s.direction = slash != std::string::npos && s.layer.substr(slash + 1) == "bwd" ? 1 : 0;
    s.layerIndex = order[layerKey(s.layer)];
  }
}

// A dictionary line is "token id"; our exports escape white space inside tokens (\n, \t, \r, \uXXXX).
std::string unescapeToken(const std::string& token) {
  if (token == "<empty>") return {};
  std::string out;
  for (size_t k = 0; k < token.size(); ++k) {
    if (token[k] != '\\' || k + 1 >= token.size()) {
      out += token[k];
      continue;
    }
    const char c = token[k + 1];
    if (c == 'n' || c == 't' || c == 'r') {
      out += c == 'n' ? '\n' : c == 't' ? '\t' : '\r';
      ++k;
    } else if (c == 'u' && k + 6 <= token.size() && token.find_first_not_of("0123456789ABCDEFabcdef", k + 2) >= k + 6) {
      out += encodeUtf8(static_cast<char32_t>(std::stoul(token.substr(k + 2, 4), nullptr, 16)));
      k += 5;
    } else {
      out += token[k];
    }
  }
  return out;
}

// id -> token of a dictionary file (LSTMVis: "token id" per line, ids from 1; a line " 5" is the space).
std::map<long, std::string> readDictionary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot be read");
  std::map<long, std::string> out;
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t space = line.find_last_of(' ');
    if (space == std::string::npos) throw InputError(path, "line " + std::to_string(number) + " is not 'token id'");
    char* end = nullptr;
    const long id = std::strtol(line.c_str() + space + 1, &end, 10);
    if (!end || *end != '\0' || space + 1 == line.size())
      throw InputError(path, "line " + std::to_string(number) + " does not end in a number");
    std::string token = line.substr(0, space);
    // A lone space is written as " 5": the token is the space itself.
    out[id] = token.empty() && space == 0 ? " " : unescapeToken(token);
  }
  return out;
}

std::vector<hsize_t> shapeOf(const std::string& file, const std::string& path) {
  h5::File f = h5::File::openReadOnly(file);
  h5::Handle d = h5::openDataset(f.id(), path, file);
  return h5::datasetDims(d.get());
}

}  // namespace

LstmvisProject readLstmvisProject(const std::string& ymlPath) {
  LstmvisProject p;
  p.yml = ymlPath;
  YAML::Node root;
  try {
    root = YAML::LoadFile(ymlPath);
  } catch (const YAML::BadFile&) {
    throw InputError(ymlPath, "cannot be read");
  } catch (const YAML::Exception& e) {
    throw InputError(ymlPath, "is not valid YAML: " + std::string(e.what()));
  }
  if (!root.IsMap()) throw InputError(ymlPath, "is not an LSTMVis project (no name, files, states)");
  p.name = root["name"] && root["name"].IsScalar() ? root["name"].as<std::string>() : "lstmvis";
  const YAML::Node files = root["files"];
  const YAML::Node words = root["word_sequence"];
  if (!words || !words.IsMap()) throw InputError(ymlPath, "has no word_sequence");
  p.wordFile = fileOf(files, scalar(words, "file", ymlPath, "word_sequence"), ymlPath);
  p.wordPath = scalar(words, "path", ymlPath, "word_sequence");
  p.dictFile = fileOf(files, scalar(words, "dict_file", ymlPath, "word_sequence"), ymlPath);
  const YAML::Node states = root["states"];
  if (!states || !states.IsMap() || !states["types"] || !states["types"].IsSequence() || states["types"].size() == 0)
    throw InputError(ymlPath, "has no states: types");
  const std::string defaultFile = states["file"] && states["file"].IsScalar() ? states["file"].as<std::string>() : "";
  for (const YAML::Node& type : states["types"]) {
    if (!type.IsMap()) throw InputError(ymlPath, "a states type is not a {type, layer, path} entry");
    LstmvisStates s;
    s.type = scalar(type, "type", ymlPath, "a states type");
    s.layer = type["layer"] && type["layer"].IsScalar() ? type["layer"].as<std::string>() : "1";
    s.path = scalar(type, "path", ymlPath, "states type '" + s.type + "'");
    const std::string file = type["file"] && type["file"].IsScalar() ? type["file"].as<std::string>() : defaultFile;
    if (file.empty()) throw InputError(ymlPath, "states type '" + s.type + "' names no file");
    s.file = fileOf(files, file, ymlPath);
    if (!parseStateType(s.type, s.quantity))
      throw InputError(ymlPath,
                       "states type '" + s.type + "' is not one LSTMScope knows (state, output, or a gate i, f, g, o)");
    p.states.push_back(std::move(s));
  }
  numberLayers(p.states);
  if (const YAML::Node meta = root["meta"]; meta && meta.IsMap()) {
    for (const auto& entry : meta) {
      const std::string name = entry.first.as<std::string>();
      const YAML::Node m = entry.second;
      const YAML::Node vis = m["vis"];
      const std::string visType = vis && vis.IsMap() && vis["type"] ? vis["type"].as<std::string>() : "discrete";
      if (visType == "wordvec") {
        p.notes.push_back("meta track '" + name + "' (word vectors) is left out");
        continue;
      }
      if (!validMetaName(name)) {
        p.notes.push_back("meta track '" + name + "' is left out: its name is not letters, digits, _ and -");
        continue;
      }
      LstmvisMeta track;
      track.name = name;
      track.file = fileOf(files, scalar(m, "file", ymlPath, "meta track '" + name + "'"), ymlPath);
      track.path = scalar(m, "path", ymlPath, "meta track '" + name + "'");
      if (m["dict"] && m["dict"].IsScalar()) {
        const std::map<long, std::string> dict = readDictionary(fileOf(files, m["dict"].as<std::string>(), ymlPath));
        long next = 0;
        for (const auto& [id, token] : dict) {
          if (id != next)
            throw InputError(fileOf(files, m["dict"].as<std::string>(), ymlPath),
                             "category ids must run 0, 1, 2, … (id " + std::to_string(id) + " after " +
                                 std::to_string(next - 1) + ")");
          track.categories.push_back(token);
          ++next;
        }
      }
      p.meta.push_back(std::move(track));
    }
  }
  return p;
}

void convertLstmvisProject(const LstmvisProject& p, const std::string& tracePath, const ProgressCallbacks& progress) {
  // Shapes first: every problem is found before a byte is written.
  std::optional<hsize_t> steps;
  std::map<int, hsize_t> cells;
  std::map<int, std::set<int>> directions;
  for (const LstmvisStates& s : p.states) {
    const auto dims = shapeOf(s.file, s.path);
    if (dims.size() != 2) throw InputError(s.file, s.path + " is not a (steps, cells) matrix");
    if (!steps) steps = dims[0];
    if (dims[0] != *steps)
      throw InputError(s.file, s.path + " has " + std::to_string(dims[0]) + " steps, the project's first states " +
                                   std::to_string(*steps));
    if (cells.count(s.layerIndex) && cells[s.layerIndex] != dims[1])
      throw InputError(s.file, s.path + " has " + std::to_string(dims[1]) + " cells, other states of layer '" +
                                   s.layer + "' " + std::to_string(cells[s.layerIndex]));
    cells[s.layerIndex] = dims[1];
    directions[s.layerIndex].insert(s.direction);
  }
  const long T = static_cast<long>(*steps);
  if (T < 1) throw InputError(p.states.front().file, p.states.front().path + " holds no step");
  const std::vector<int32_t> ids = h5::readInts(h5::File::openReadOnly(p.wordFile).id(), p.wordPath, p.wordFile);
  if (static_cast<long>(ids.size()) != T)
    throw InputError(p.wordFile, p.wordPath + " has " + std::to_string(ids.size()) + " word ids for " +
                                     std::to_string(T) + " steps of states");
  const std::map<long, std::string> dict = readDictionary(p.dictFile);
  TraceHeader header;
  header.modelName = p.name;
  header.steps = T;
  header.tokens = ids;
  for (int32_t id : ids) {
    const auto it = dict.find(id);
    header.tokenText.push_back(it != dict.end() ? it->second : "<" + std::to_string(id) + ">");
  }
  for (const LstmvisMeta& m : p.meta) {
    MetaTrack track{m.name, "lstmvis:" + fs::path(m.file).filename().string() + "::" + m.path, {}, m.categories};
    h5::FloatArray values = h5::readFloats(h5::File::openReadOnly(m.file).id(), m.path, m.file);
    if (static_cast<long>(values.values.size()) != T)
      throw InputError(m.file, m.path + " (meta track '" + m.name + "') has " + std::to_string(values.values.size()) +
                                   " values for " + std::to_string(T) + " steps");
    track.values = std::move(values.values);
    for (float v : track.values)
      if (track.categorical() && !(v >= 0 && v < static_cast<float>(track.categories.size())))
        throw InputError(m.file, m.path + " (meta track '" + m.name + "') holds " + std::to_string(v) +
                                     ", which is not one of its dictionary's categories");
    header.meta.push_back(std::move(track));
  }
  Architecture arch;
  arch.name = p.name;
  for (const auto& [layer, units] : cells) {
    LayerSpec spec;
    spec.hidden = static_cast<int>(units);
    spec.bidirectional = directions[layer].size() == 2;
    spec.reverse = !spec.bidirectional && directions[layer].count(1);
    arch.layers.push_back(spec);
  }
  RecordRequest request;
  request.outputs = false;
  request.quantities.clear();
  for (const LstmvisStates& s : p.states)
    if (std::find(request.quantities.begin(), request.quantities.end(), s.quantity) == request.quantities.end())
      request.quantities.push_back(s.quantity);
  std::set<std::tuple<int, int, Quantity>> present;
  for (const LstmvisStates& s : p.states) present.insert({s.layerIndex, s.direction, s.quantity});
  header.records = [present](int l, int d, Quantity q) { return present.count({l, d, q}) > 0; };
  TraceWriter writer(tracePath, arch, 0, header, request);
  constexpr long kBlock = 8192;
  const long total = T * static_cast<long>(p.states.size());
  long done = 0;
  for (const LstmvisStates& s : p.states) {
    h5::File f = h5::File::openReadOnly(s.file);
    h5::Handle d = h5::openDataset(f.id(), s.path, s.file);
    const int H = static_cast<int>(cells[s.layerIndex]);
    std::vector<float> block(static_cast<size_t>(kBlock) * static_cast<size_t>(H));
    for (long first = 0; first < T; first += kBlock) {
      checkCancelled(progress);
      const long n = std::min(kBlock, T - first);
      h5::readRows(d.get(), static_cast<hsize_t>(first), static_cast<hsize_t>(n), static_cast<hsize_t>(H), block.data(),
                   s.file);
      writer.onStates({s.layerIndex, s.direction, s.quantity, first, n, block.data(), H, H});
      done += n;
      if (progress.progress) progress.progress(done, total);
    }
  }
  writer.commit();
}

}  // namespace lstmscope
