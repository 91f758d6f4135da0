#include "core/formats/foreign/vocabulary_file.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/common/input_file.h"
#include "core/text/utf8.h"

namespace lstmscope {

namespace {

// keras.preprocessing.text.Tokenizer's default `filters`.
constexpr const char* kKerasDefaultFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

constexpr size_t kMaxVocabularyBytes = size_t(512) << 20;
constexpr std::array<const char*, 8> kUnkSpellings = {"[UNK]", "<unk>", "<UNK>", "UNK",
                                                      "<oov>", "[OOV]", "<OOV>", "unk"};

std::string readText(const std::string& path) {
  requireRegularFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot be opened");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > kMaxVocabularyBytes) throw InputError(path, "is larger than 512 MB; not a vocabulary");
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  const Utf8Issue issue = validateUtf8(text);
  if (!issue.ok)
    throw InputError(path, "is not UTF-8 text (invalid byte at line " + std::to_string(issue.line) + ", column " +
                               std::to_string(issue.column) + ")");
  return text;
}

// Tokens from a token -> id mapping, in id order. Ids the mapping skips are slots the framework reserved
// (Keras' Tokenizer and most tutorials keep id 0 for padding and start at 1): they get names that say so,
// "<pad>" for id 0 and "<id K>" otherwise, and are listed in `out.placeholders` and `out.guesses`.
std::vector<std::string> fromIndex(const std::map<int64_t, std::string>& byId, const std::string& path,
                                   LoadedVocabulary& out) {
  if (byId.empty()) return {};
  const int64_t last = byId.rbegin()->first;
  // A few reserved slots are normal; ids far beyond the count are a broken file, not reserved slots.
  if (last >= 16 + 2 * static_cast<int64_t>(byId.size()))
    throw InputError(path, "maps " + std::to_string(byId.size()) + " tokens to ids up to " + std::to_string(last) +
                               ": too many ids are missing for this to be a vocabulary");
  std::vector<std::string> tokens;
  std::set<std::string> taken;
  for (const auto& entry : byId) taken.insert(entry.second);
  std::string named;
  for (int64_t id = 0; id <= last; ++id) {
    if (const auto it = byId.find(id); it != byId.end()) {
      tokens.push_back(it->second);
      continue;
    }
    std::string name = id == 0 && !taken.count("<pad>") ? std::string("<pad>") : "<id " + std::to_string(id) + ">";
    if (taken.count(name))
      throw InputError(path, "lists no token for id " + std::to_string(id) + " but uses its name " + name);
    out.placeholders.push_back(static_cast<int>(id));
    if (out.placeholders.size() <= 5) named += (named.empty() ? "" : ", ") + std::to_string(id) + " " + name;
    tokens.push_back(name);
  }
  if (!out.placeholders.empty())
    out.guesses.push_back("the file maps no token to id" + std::string(out.placeholders.size() > 1 ? "s " : " ") +
                          named + (out.placeholders.size() > 5 ? ", …" : "") +
                          ": reserved ids (padding, start, end), named as such");
  return tokens;
}

std::map<int64_t, std::string> invert(const nlohmann::json& object, const std::string& path) {
  std::map<int64_t, std::string> byId;
  for (const auto& [token, id] : object.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      throw InputError(path, "maps " + token + " to something that is not a token id");
    if (!byId.emplace(id.get<int64_t>(), token).second)
      throw InputError(path, "maps two tokens to id " + std::to_string(id.get<int64_t>()));
  }
  return byId;
}

// A marker such as "<s>", "<unk>" or "[PAD]": character vocabularies hold them beside the characters.
bool isBracketedMarker(const std::string& t) {
  return t.size() >= 3 && ((t.front() == '<' && t.back() == '>') || (t.front() == '[' && t.back() == ']'));
}

// Whether every token but the reserved slots (`placeholders`) and markers is one character.
bool allSingleCodePoints(const std::vector<std::string>& tokens, const std::vector<int>& placeholders) {
  size_t single = 0, nonEmpty = 0;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const std::string& t = tokens[k];
    if (t.empty() || isBracketedMarker(t) || std::count(placeholders.begin(), placeholders.end(), static_cast<int>(k)))
      continue;
    ++nonEmpty;
    single += splitCodePoints(t).size() == 1;
  }
  return nonEmpty > 0 && single == nonEmpty;
}

// Makes `out.vocab` of `tokens`, guessing (and noting in out.guesses) what neither the source nor the
// user's options said: the level and the UNK token.
void settle(LoadedVocabulary& out, std::vector<std::string> tokens, std::optional<TokenLevel> level,
            std::optional<bool> lowercase, std::optional<std::string> unk) {
  if (tokens.empty()) throw InputError(out.path, "lists no tokens");
  if (!level) {
    level = allSingleCodePoints(tokens, out.placeholders) ? TokenLevel::Char : TokenLevel::Word;
    out.guesses.push_back(std::string("tokens are ") + (*level == TokenLevel::Char ? "characters" : "words") +
                          (*level == TokenLevel::Char ? " (every token but markers such as <s> is one character)"
                                                      : " (not every token is one character)"));
  }
  if (!unk) {
    unk = std::string();
    for (const char* spelling : kUnkSpellings)
      if (std::find(tokens.begin(), tokens.end(), spelling) != tokens.end()) {
        unk = spelling;
        out.guesses.push_back(std::string("the UNK token is ") + spelling);
        break;
      }
  }
  out.vocab = Vocabulary(*level, std::move(tokens), lowercase.value_or(false), *unk);
}

// Typed text with \n, \t and \\ replaced by what they stand for; any other backslash is kept.
std::string unescapeTyped(std::string_view text) {
  std::string out;
  for (size_t k = 0; k < text.size(); ++k) {
    const char next = k + 1 < text.size() ? text[k + 1] : '\0';
    if (text[k] == '\\' && (next == 'n' || next == 't' || next == '\\')) {
      out += next == 'n' ? '\n' : next == 't' ? '\t' : '\\';
      ++k;
    } else {
      out += text[k];
    }
  }
  return out;
}

std::string escapeTyped(const std::string& token) {
  std::string out;
  for (const char c : token) out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\\' ? "\\\\" : std::string(1, c);
  return out;
}

}  // namespace

Vocabulary placeholderVocabulary(int size) {
  std::vector<std::string> tokens;
  for (int k = 0; k < size; ++k) tokens.push_back(std::to_string(k));
  return Vocabulary(TokenLevel::Word, std::move(tokens));
}

LoadedVocabulary readVocabularyFile(const std::string& path, const VocabularyOptions& options) {
  const std::string text = readText(path);
  LoadedVocabulary out;
  out.path = path;
  std::vector<std::string> tokens;
  std::optional<TokenLevel> level = options.level;
  std::optional<bool> lowercase = options.lowercase;
  std::optional<std::string> unk = options.unk;
  std::optional<std::string> kerasSeparators;  // a Keras Tokenizer's filters and split
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw InputError(path, "is empty");
  nlohmann::json json;
  bool isJson = (text[first] == '[' || text[first] == '{') &&
                !(json = nlohmann::json::parse(text, nullptr, false)).is_discarded();
  // json.dump(tokenizer.to_json(), f), a common way to save a Keras Tokenizer, writes the JSON as one JSON
  // string: read what it holds.
  if (!isJson && text[first] == '"') {
    const nlohmann::json outer = nlohmann::json::parse(text, nullptr, false);
    if (outer.is_string()) {
      json = nlohmann::json::parse(outer.get<std::string>(), nullptr, false);
      isJson = json.is_object() || json.is_array();
      if (isJson)
        out.guesses.push_back("the file holds its JSON as one JSON string (saved twice encoded): read inside it");
    }
  }
  try {
    if (isJson && json.is_array()) {
      out.format = "JSON array";
      for (const auto& t : json) {
        if (!t.is_string()) throw InputError(path, "is a JSON array with an entry that is not a string");
        tokens.push_back(t.get<std::string>());
      }
    } else if (isJson && json.is_object() && json.value("class_name", "") == "Tokenizer") {
      out.format = "Keras Tokenizer JSON";
      out.idsAreExplicit = true;
      const auto& config = json.at("config");
      // to_json() stores word_index as a JSON string inside the JSON.
      const auto& raw = config.at("word_index");
      const nlohmann::json index = raw.is_string() ? nlohmann::json::parse(raw.get<std::string>()) : raw;
      tokens = fromIndex(invert(index, path), path, out);
      if (!level) level = config.value("char_level", false) ? TokenLevel::Char : TokenLevel::Word;
      if (!lowercase) lowercase = config.value("lower", true);
      if (!unk)
        unk = config.contains("oov_token") && config["oov_token"].is_string() ? config["oov_token"].get<std::string>()
                                                                              : std::string();
      out.mayTruncate = config.contains("num_words") && config["num_words"].is_number_integer();
      if (out.mayTruncate) out.idLimit = config["num_words"].get<int64_t>();
      // texts_to_sequences: every filter character and the split string separate words and vanish; words
      // outside the index vanish too unless there is an oov_token.
      kerasSeparators = config.contains("filters") && config["filters"].is_string()
                            ? config["filters"].get<std::string>()
                            : std::string(kKerasDefaultFilters);
      if (config.contains("split") && config["split"].is_string() && config["split"].get<std::string>() != " ")
        *kerasSeparators += config["split"].get<std::string>();
    } else if (isJson && json.is_object()) {
      out.format = "JSON object (token to id)";
      out.idsAreExplicit = true;
      tokens = fromIndex(invert(json, path), path, out);
    } else {
      out.format = "one token per line";
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        tokens.push_back(line);
      }
      while (!tokens.empty() && tokens.back().empty()) tokens.pop_back();  // trailing newline(s)
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("is a malformed vocabulary (") + e.what() + ")");
  }
  settle(out, std::move(tokens), level, lowercase, unk);
  if (kerasSeparators) {
    out.vocab.setWordSeparators(*kerasSeparators);
    out.vocab.setDropUnknown(out.vocab.unk().empty());
  }
  return out;
}

std::vector<std::string> parseTypedTokens(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();  // trailing line breaks
  if (lines.size() == 1) return splitCodePoints(unescapeTyped(lines[0]));
  std::vector<std::string> tokens;
  for (const auto& line : lines) tokens.push_back(unescapeTyped(line));
  return tokens;
}

std::string typedTokensText(const std::vector<std::string>& tokens) {
  const bool characters =
      std::all_of(tokens.begin(), tokens.end(), [](const std::string& t) { return splitCodePoints(t).size() == 1; });
  std::string text;
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (k && !characters) text += '\n';
    text += escapeTyped(tokens[k]);
  }
  return text;
}

LoadedVocabulary typedVocabulary(const std::vector<std::string>& tokens, const VocabularyOptions& options) {
  LoadedVocabulary out;
  out.path = "the typed vocabulary";
  out.format = "typed (" + std::to_string(tokens.size()) + " tokens)";
  settle(out, tokens, options.level, options.lowercase, options.unk);
  return out;
}

Vocabulary fitVocabulary(const LoadedVocabulary& loaded, int size, const std::string& modelPath,
                         std::vector<std::string>* notes) {
  const Vocabulary& v = loaded.vocab;
  if (v.size() == size) return v;
  // An id map whose model has a few more ids than it names: reserved ids at the end (an OOV or end
  // token the framework adds), named as such. A larger difference is the wrong vocabulary.
  // A Keras Tokenizer with num_words: the model was built for num_words ids, however many words the
  // texts it was fitted on held; the ids it never gives are unused rows.
  const bool tokenizerAllows = loaded.idLimit > 0 && loaded.idLimit >= size;
  if (loaded.idsAreExplicit && v.size() < size && (tokenizerAllows || size - v.size() <= 3 + size / 100)) {
    std::vector<std::string> tokens = v.tokens();
    for (int id = v.size(); id < size; ++id) {
      tokens.push_back("<id " + std::to_string(id) + ">");
      if (v.idOf(tokens.back()) >= 0)
        throw InputError(loaded.path, "names a token " + tokens.back() + " that is not id " + std::to_string(id));
    }
    Vocabulary extended(v.level(), std::move(tokens), v.lowercase(), v.unk());
    extended.setWordSeparators(v.wordSeparators());
    extended.setStrippedCharacters(v.strippedCharacters());
    extended.setDropUnknown(v.dropsUnknown());
    if (notes)
      notes->push_back("the model reads " + std::to_string(size) + " ids but " + loaded.path + " names " +
                       std::to_string(v.size()) + ": ids " + std::to_string(v.size()) + " to " +
                       std::to_string(size - 1) +
                       (tokenizerAllows ? " are ids its num_words allows but no word has (<id K>)"
                                        : " are taken as reserved (<id K>)"));
    return extended;
  }
  if (loaded.mayTruncate && v.size() > size) {
    std::vector<std::string> tokens(v.tokens().begin(), v.tokens().begin() + size);
    const bool keepsUnk = !v.unk().empty() && v.unkId() < size;
    Vocabulary fitted(v.level(), std::move(tokens), v.lowercase(), keepsUnk ? v.unk() : std::string());
    fitted.setWordSeparators(v.wordSeparators());
    fitted.setStrippedCharacters(v.strippedCharacters());
    fitted.setDropUnknown(v.dropsUnknown() || (!v.unk().empty() && !keepsUnk));
    return fitted;
  }
  throw InputError(loaded.path, "has " + std::to_string(v.size()) + " tokens but the model " + modelPath + " has " +
                                    std::to_string(size) + " (the vocabulary does not belong to this model)");
}

}  // namespace lstmscope
