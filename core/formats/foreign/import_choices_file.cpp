#include "core/formats/foreign/import_choices_file.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/common/error.h"
#include "core/common/input_file.h"
#include "core/formats/atomic_file.h"

namespace lstmscope {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

template <class E>
void readEnum(const json& j, const char* key, std::optional<E>& out, const std::string& path) {
  if (!j.contains(key) || j[key].is_null()) return;
  E value{};
  if (!j[key].is_string() || !parse(j[key].get<std::string>(), value))
    throw InputError(path, std::string("field ") + key + " has a value LSTMScope does not know: " + j[key].dump());
  out = value;
}

std::string headReadsName(HeadReads r) {
  return r == HeadReads::EachStep ? "each_step" : "final_states";
}

}  // namespace

std::string sidecarPath(const std::string& modelPath) {
  return modelPath + ".lstmscope.json";
}

SavedImport parseSavedImport(const std::string& text, const std::string& path, const std::string& baseDirectory) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw InputError(path, "is not a JSON object (an LSTMScope import sidecar)");
  SavedImport saved;
  ImportChoices& c = saved.choices;
  try {
    readEnum(j, "task", c.task, path);
    readEnum(j, "head_activation", c.headActivation, path);
    if (j.contains("head_reads") && !j["head_reads"].is_null()) {
      const std::string r = j["head_reads"].get<std::string>();
      if (r != "each_step" && r != "final_states")
        throw InputError(path, "field head_reads must be each_step or final_states");
      c.headReads = r == "each_step" ? HeadReads::EachStep : HeadReads::FinalStates;
    }
    if (j.contains("embedding") && !j["embedding"].is_null()) c.embedding = j["embedding"].get<std::string>();
    if (j.contains("part") && !j["part"].is_null()) {
      c.part = j["part"].get<std::string>();
      if (c.part != "encoder" && c.part != "decoder") throw InputError(path, "field part must be encoder or decoder");
    }
    if (j.contains("dense_activations") && j["dense_activations"].is_array()) {
      std::vector<DenseActivation> acts;
      for (const auto& a : j["dense_activations"]) {
        DenseActivation d{};
        if (!a.is_string() || !parse(a.get<std::string>(), d))
          throw InputError(path, "field dense_activations holds " + a.dump() + ", which LSTMScope does not know");
        acts.push_back(d);
      }
      c.preActivations = acts;
    }
    if (j.contains("token_level") && !j["token_level"].is_null()) {
      const std::string l = j["token_level"].get<std::string>();
      if (l != "char" && l != "word") throw InputError(path, "field token_level must be char or word");
      c.vocabulary.level = l == "char" ? TokenLevel::Char : TokenLevel::Word;
    }
    if (j.contains("lowercase") && !j["lowercase"].is_null()) c.vocabulary.lowercase = j["lowercase"].get<bool>();
    if (j.contains("unk") && !j["unk"].is_null()) c.vocabulary.unk = j["unk"].get<std::string>();
    if (j.contains("vocabulary_file") && j["vocabulary_file"].is_string()) {
      const fs::path v = j["vocabulary_file"].get<std::string>();
      saved.vocabPath = v.is_absolute() ? v.string() : (fs::path(baseDirectory) / v).lexically_normal().string();
    }
    if (j.contains("vocabulary_tokens") && !j["vocabulary_tokens"].is_null())
      c.vocabularyTokens = j["vocabulary_tokens"].get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw InputError(path, std::string("has a field of the wrong type (") + e.what() + ")");
  }
  return saved;
}

SavedImport readSidecar(const std::string& path) {
  requireRegularFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  return parseSavedImport(text.str(), path, fs::path(path).parent_path().string());
}

std::string savedImportJson(const SavedImport& saved, const std::string& baseDirectory) {
  const ImportChoices& c = saved.choices;
  json j = json::object();
  j["lstmscope_import"] = 1;
  if (c.task) j["task"] = toString(*c.task);
  if (c.headReads) j["head_reads"] = headReadsName(*c.headReads);
  if (c.headActivation) j["head_activation"] = toString(*c.headActivation);
  if (c.embedding) j["embedding"] = *c.embedding;
  if (c.part) j["part"] = *c.part;
  if (c.preActivations) {
    j["dense_activations"] = json::array();
    for (DenseActivation a : *c.preActivations) j["dense_activations"].push_back(toString(a));
  }
  if (c.vocabulary.level) j["token_level"] = *c.vocabulary.level == TokenLevel::Char ? "char" : "word";
  if (c.vocabulary.lowercase) j["lowercase"] = *c.vocabulary.lowercase;
  if (c.vocabulary.unk) j["unk"] = *c.vocabulary.unk;
  if (c.vocabularyTokens) j["vocabulary_tokens"] = *c.vocabularyTokens;
  if (!saved.vocabPath.empty()) {
    // Relative to the sidecar when the vocabulary sits beside the model (or below it), so the pair can be
    // moved together; absolute otherwise.
    std::error_code ec;
    const fs::path absolute = fs::absolute(saved.vocabPath, ec).lexically_normal();
    const fs::path relative =
        baseDirectory.empty() ? fs::path() : absolute.lexically_relative(fs::absolute(baseDirectory, ec));
    const bool beside = !ec && !relative.empty() && *relative.begin() != "..";
    j["vocabulary_file"] = beside ? relative.string() : absolute.string();
  }
  return j.dump(2) + "\n";
}

void writeSidecar(const SavedImport& saved, const std::string& path) {
  std::error_code ec;
  const std::string text = savedImportJson(saved, fs::absolute(path, ec).parent_path().string());
  AtomicFile file(path);
  {
    std::ofstream out(file.tempPath(), std::ios::binary);
    out << text;
    if (!out) throw InputError(path, "cannot be written");
  }
  file.commit();
}

ImportChoices mergeChoices(const ImportChoices& base, const ImportChoices& over) {
  ImportChoices m = base;
  if (over.task) m.task = over.task;
  if (over.headReads) m.headReads = over.headReads;
  if (over.headActivation) m.headActivation = over.headActivation;
  if (over.embedding) m.embedding = over.embedding;
  if (over.part) m.part = over.part;
  if (over.preActivations) m.preActivations = over.preActivations;
  if (over.vocabulary.level) m.vocabulary.level = over.vocabulary.level;
  if (over.vocabulary.lowercase) m.vocabulary.lowercase = over.vocabulary.lowercase;
  if (over.vocabulary.unk) m.vocabulary.unk = over.vocabulary.unk;
  if (over.vocabularyTokens) m.vocabularyTokens = over.vocabularyTokens;
  return m;
}

}  // namespace lstmscope
