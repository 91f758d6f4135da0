#include "app/cli/corpus_input.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/cli/table_input.h"
#include "core/common/error.h"
#include "core/common/input_file.h"

namespace lstmscope::cli {
namespace {

namespace fs = std::filesystem;

// One document before it is read: a file, or a text already in memory (a line of a .jsonl file).
struct Source {
  std::string name, path;
  std::optional<std::string> text;
  std::string where;  // what errors name: the path, or "FILE: line N" for a JSON line
};

std::vector<Source> folderSources(const std::string& folder) {
  std::vector<Source> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // .git, .DS_Store: not documents
    if (it->is_regular_file(ec)) out.push_back({name, it->path().string(), std::nullopt, it->path().string()});
  }
  if (ec) throw InputError(folder, "cannot list the folder: " + ec.message());
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.name < b.name; });
  if (out.empty()) throw InputError(folder, "the folder holds no document (no regular file)");
  return out;
}

std::vector<Source> jsonlSources(const std::string& path) {
  requireRegularFile(path);
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError(path, "cannot open the file for reading");
  std::vector<Source> out;
  const std::string base = fs::path(path).filename().string();
  std::string line;
  for (long number = 1; std::getline(file, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto bad = [&](const std::string& why) {
      return InputError(path, "line " + std::to_string(number) + ": " + why);
    };
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      // Not e.what(): it quotes the line's bytes, which may be anything (docs/SECURITY.md).
      throw bad("not JSON (the error is at byte " + std::to_string(e.byte) + " of the line)");
    }
    if (!doc.is_object() || !doc.contains("text") || !doc["text"].is_string())
      throw bad("not an object with a \"text\" string");
    std::string name = base + ":" + std::to_string(number);
    if (doc.contains("name")) {
      if (!doc["name"].is_string()) throw bad("\"name\" is not a string");
      name = doc["name"].get<std::string>();
    }
    out.push_back({std::move(name), path, doc["text"].get<std::string>(), path + ": line " + std::to_string(number)});
  }
  if (file.bad()) throw InputError(path, "could not read the whole file");
  if (out.empty()) throw InputError(path, "the file holds no document (no JSON line)");
  return out;
}

std::vector<Source> sourcesOf(const InputOptions& in) {
  if (in.corpus.empty()) {
    std::vector<Source> out;
    for (const std::string& f : in.textFiles) out.push_back({f, f, std::nullopt, f});
    return out;
  }
  std::error_code ec;
  if (fs::is_directory(in.corpus, ec)) return folderSources(in.corpus);
  if (in.corpus.ends_with(".jsonl")) return jsonlSources(in.corpus);
  return {{fs::path(in.corpus).filename().string(), in.corpus, std::nullopt, in.corpus}};
}

// One document's tokens, or its CSV table's rows, within the steps the corpus has left.
EncodedText readDocument(const Architecture& arch, const Source& s, const InputOptions& in, long stepsLeft,
                         const std::string& advice) {
  if (!arch.readsText()) {
    if (s.text) throw InputError(s.path, "a model of numeric features reads a folder of CSV tables, not a .jsonl file");
    std::error_code ec;
    if (fs::file_size(s.path, ec) == 0 && !ec) {  // an empty table: a document of no step
      EncodedText empty;
      empty.inputs.features.resize(arch.featureDim, 0);
      return empty;
    }
    return readTableInput(arch, s.path, in.labelColumn, stepsLeft, advice, true);
  }
  // An empty document (an __init__.py) is a document of no step, kept in the list.
  return s.text ? encodeText(arch, *s.text, s.where, stepsLeft, advice, true)
                : encodeTextFile(arch, s.path, stepsLeft, advice, true);
}

}  // namespace

CorpusInput readCorpus(const Architecture& arch, const InputOptions& in, long maxSteps,
                       const std::string& limitAdvice) {
  const std::vector<Source> sources = sourcesOf(in);
  const std::string advice =
      "the corpus may have " + std::to_string(maxSteps) + " in all" + (limitAdvice.empty() ? "" : "; " + limitAdvice);
  CorpusInput out;
  out.offsets.push_back(0);
  std::vector<float> features;  // (dim, steps) column by column, for feature models
  long steps = 0;
  for (const Source& s : sources) {
    EncodedText doc = readDocument(arch, s, in, maxSteps - steps, advice);
    const long n = doc.inputs.steps;
    out.text.inputs.tokens.insert(out.text.inputs.tokens.end(), doc.inputs.tokens.begin(), doc.inputs.tokens.end());
    features.insert(features.end(), doc.inputs.features.data(),
                    doc.inputs.features.data() + doc.inputs.features.size());
    for (std::string& token : doc.surface) out.text.surface.push_back(std::move(token));
    steps += n;
    out.offsets.push_back(steps);
    out.names.push_back(s.name);
    if (!doc.noStep.empty()) out.noStep.push_back(std::move(doc.noStep));
  }
  if (steps == 0) throw InputError(in.corpus.empty() ? in.textFiles.front() : in.corpus, "the corpus has no token");
  out.text.inputs.steps = static_cast<int>(steps);
  out.text.inputs.batch = 1;
  if (arch.inputKind == InputKind::Features)
    out.text.inputs.features = Eigen::Map<const Mat<float>>(features.data(), arch.featureDim, steps);
  return out;
}

}  // namespace lstmscope::cli
