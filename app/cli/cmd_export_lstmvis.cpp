// `lstmscope-cli export-lstmvis`: a trace as a project folder LSTMVis loads (docs/CLI.md "export-lstmvis"):
// lstm.yml, states.h5 (one float32 (T, H) dataset per layer, direction and quantity), train.h5 (the word
// ids, from 1, and each step's document), words.dict ("token id" per line).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {

const char* const kExportLstmvisHelp =
    "usage: lstmscope-cli export-lstmvis --trace TRACE.h5 --out DIR\n"
    "\n"
    "Writes the trace as an LSTMVis project in the new folder DIR (docs/CLI.md \"export-lstmvis\"):\n"
    "  lstm.yml     the project (states, word sequence, dictionary, a 'document' meta track)\n"
    "  states.h5    one float32 (steps, units) dataset per layer, direction and recorded quantity, named\n"
    "               layer<L>_<dir>_<q>; LSTMVis shows c through tanh, the others raw\n"
    "  train.h5     word_ids (int32, from 1: LSTMVis's dictionary ids) and document (each step's document)\n"
    "  words.dict   one 'token id' per line; white space inside a token is written as \\n, \\t, \\uXXXX\n"
    "  meta.h5      the trace's meta tracks (numbers as scalar tracks, categories with meta_NAME.dict)\n"
    "The folder is written as DIR.tmp-PID and renamed when complete.\n";

namespace {

// Python's str.split() (LSTMVis's dictionary reader) splits at these; a token must not contain one.
bool splitsLstmvisLines(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// A token as a dictionary line can hold it: a lone space stays (LSTMVis reads " 5" as the space), other
// white space is escaped, an empty token is "<empty>".
std::string dictionaryToken(const std::string& token) {
  if (token == " ") return token;
  if (token.empty()) return "<empty>";
  std::string out;
  for (size_t k = 0; k < token.size();) {
    const auto b = static_cast<unsigned char>(token[k]);
    const size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = n == 1 ? b : b & (0xFF >> (n + 1));
    for (size_t j = 1; j < n && k + j < token.size(); ++j) c = (c << 6) | (token[k + j] & 0x3F);
    if (!splitsLstmvisLines(c)) {
      out.append(token, k, n);
    } else if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04X", static_cast<unsigned>(c));
      out += escaped;
    }
    k += n;
  }
  return out;
}

struct ExportedStates {
  nlohmann::ordered_json types = nlohmann::ordered_json::array();
};

// Every recorded quantity of every layer and direction, copied a window of steps at a time.
ExportedStates writeStates(const TraceReader& trace, const std::string& path) {
  ExportedStates out;
  h5::File file = h5::File::create(path);
  constexpr long kWindow = 16384;
  for (int l = 0; l < trace.layers(); ++l)
    for (int d = 0; d < trace.directions(l); ++d)
      for (int q = 0; q <= static_cast<int>(Quantity::PreO); ++q) {
        const auto quantity = static_cast<Quantity>(q);
        if (!trace.has(l, d, quantity)) continue;
        const std::string name =
            "layer" + std::to_string(l) + "_" + trace.directionName(l, d) + "_" + quantityName(quantity);
        const auto units = static_cast<hsize_t>(trace.units(l));
        h5::Handle dataset = h5::createFloatMatrix(file.id(), name, static_cast<hsize_t>(trace.steps()), units, 0);
        for (long first = 0; first < trace.steps(); first += kWindow) {
          const long n = std::min(kWindow, trace.steps() - first);
          const Mat<float> window = trace.read(l, d, quantity, first, n);  // (H, n): the rows of (n, H)
          h5::writeRows(dataset.get(), first, n, units, window.data());
        }
        out.types.push_back({{"type", quantityName(quantity)},
                             {"layer", std::to_string(l) + "/" + trace.directionName(l, d)},
                             {"path", name},
                             {"transform", quantity == Quantity::C ? "tanh" : "raw"}});
      }
  file.flush();
  return out;
}

// The word sequence (dictionary ids from 1, by first appearance of each token's text) and the documents.
size_t writeWords(const TraceReader& trace, const std::string& trainPath, const std::string& dictPath) {
  const std::vector<std::string> tokens = trace.tokenText();
  if (static_cast<long>(tokens.size()) != trace.steps())
    throw InputError(trace.path(), "token_text has " + std::to_string(tokens.size()) + " entries for " +
                                       std::to_string(trace.steps()) + " steps");
  std::map<std::string, int32_t> ids;
  std::vector<const std::string*> byId;
  std::vector<int32_t> wordIds;
  wordIds.reserve(tokens.size());
  for (const std::string& t : tokens) {
    const auto [it, added] = ids.emplace(t, static_cast<int32_t>(ids.size() + 1));
    if (added) byId.push_back(&it->first);
    wordIds.push_back(it->second);
  }
  std::vector<int32_t> documents(tokens.size());
  const auto& offsets = trace.documentOffsets();
  for (size_t d = 0; d + 1 < offsets.size(); ++d)
    std::fill(documents.begin() + offsets[d], documents.begin() + offsets[d + 1], static_cast<int32_t>(d));
  h5::File train = h5::File::create(trainPath);
  h5::writeInts(train.id(), "word_ids", wordIds);
  h5::writeInts(train.id(), "document", documents);
  train.flush();
  std::ofstream dict(dictPath, std::ios::binary);
  for (size_t k = 0; k < byId.size(); ++k) dict << dictionaryToken(*byId[k]) << " " << (k + 1) << "\n";
  if (!dict.flush()) throw InputError(dictPath, "cannot write");
  return byId.size();
}

// The trace's meta tracks in meta.h5: numbers as float32 "scalar" tracks, categories as int32 indices
// with a dictionary (meta_<name>.dict) of "category index" lines. Adds the files and the meta entries.
void writeMeta(const TraceReader& trace, const std::string& dir, nlohmann::ordered_json& files,
               nlohmann::ordered_json& meta) {
  const std::vector<std::string> names = trace.metaNames();
  if (names.empty()) return;
  h5::File file = h5::File::create(dir + "/meta.h5");
  files["meta"] = "meta.h5";
  for (const std::string& name : names) {
    const MetaTrack track = trace.meta(name);
    const std::string path = "meta_" + name;
    if (track.categorical()) {
      const std::vector<int32_t> ids(track.values.begin(), track.values.end());
      h5::writeInts(file.id(), path, ids);
      std::ofstream dict(dir + "/" + path + ".dict", std::ios::binary);
      for (size_t k = 0; k < track.categories.size(); ++k)
        dict << dictionaryToken(track.categories[k]) << " " << k << "\n";
      if (!dict.flush()) throw InputError(dir + "/" + path + ".dict", "cannot write");
      files[path] = path + ".dict";
      meta[name] = {
          {"file", "meta"}, {"path", path}, {"dict", path}, {"vis", {{"type", "discrete"}, {"range", "dict"}}}};
    } else {
      h5::writeFloats(file.id(), path, {track.values.size()}, track.values.data());
      float low = 0, high = 1;
      if (!track.values.empty()) {
        low = *std::min_element(track.values.begin(), track.values.end());
        high = *std::max_element(track.values.begin(), track.values.end());
      }
      const long from = static_cast<long>(std::floor(low)), to = static_cast<long>(std::ceil(high)) + 1;
      meta[name] = {{"file", "meta"},
                    {"path", path},
                    {"vis", {{"type", "scalar"}, {"range", std::to_string(from) + "..." + std::to_string(to)}}}};
    }
  }
  file.flush();
}

void writeProject(const TraceReader& trace, const std::string& dir) {
  const ExportedStates states = writeStates(trace, dir + "/states.h5");
  writeWords(trace, dir + "/train.h5", dir + "/words.dict");
  nlohmann::ordered_json files = {{"states", "states.h5"}, {"train", "train.h5"}, {"words", "words.dict"}};
  nlohmann::ordered_json meta = {
      {"document",
       {{"file", "train"},
        {"path", "document"},
        {"vis", {{"type", "discrete"}, {"range", "0..." + std::to_string(trace.documents())}}}}}};
  writeMeta(trace, dir, files, meta);
  nlohmann::ordered_json project = {
      {"name", trace.modelName().empty() ? "lstmscope" : trace.modelName()},
      {"description", "exported by lstmscope-cli from " + std::filesystem::path(trace.path()).filename().string()},
      {"files", files},
      {"word_sequence", {{"file", "train"}, {"path", "word_ids"}, {"dict_file", "words"}}},
      {"states", {{"file", "states"}, {"types", states.types}}},
      {"meta", meta}};
  std::ofstream yml(dir + "/lstm.yml", std::ios::binary);
  // JSON is YAML: every string quoted and escaped, whatever the model's name holds.
  yml << "# LSTMVis project written by lstmscope-cli export-lstmvis\n"
      << project.dump(2, ' ', true, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  if (!yml.flush()) throw InputError(dir + "/lstm.yml", "cannot write");
}

}  // namespace

int runExportLstmvis(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kExportLstmvisHelp)) return 0;
  namespace fs = std::filesystem;
  const ExportOptions o = parseExportOptions(args);
  const TraceReader trace(o.tracePath);
  const std::string temp = o.out + ".tmp-" + std::to_string(getpid());
  std::error_code ec;
  fs::create_directories(temp, ec);
  if (ec) throw InputError(o.out, "cannot create the folder: " + ec.message());
  try {
    writeProject(trace, temp);
    fs::remove(o.out, ec);  // an empty folder the user made for it
    fs::rename(temp, o.out, ec);
    if (ec) throw InputError(o.out, "cannot rename the finished folder into place: " + ec.message());
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
  std::fprintf(stderr, "wrote %s: an LSTMVis project of %ld steps\n", o.out.c_str(), trace.steps());
  return 0;
}

}  // namespace lstmscope::cli
