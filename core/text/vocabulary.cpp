#include "core/text/vocabulary.h"

#include <cstdio>

#include "core/common/error.h"
#include "core/text/utf8.h"

namespace lstmscope {
namespace {

bool isSpace(const std::string& cp) {
  return cp == " " || cp == "\n" || cp == "\t" || cp == "\r" || cp == "\v" || cp == "\f";
}

// How many unknown tokens an error marks: enough for any editor, bounded for a text of nothing else.
constexpr size_t kMaxMarkedTokens = 10000;

std::string describeToken(const std::string& token) {
  std::string shown;
  for (char ch : token) {
    if (ch == '\n')
      shown += "\\n";
    else if (ch == '\t')
      shown += "\\t";
    else if (ch == '\r')
      shown += "\\r";
    else
      shown += ch;
  }
  return "'" + shown + "'";
}

}  // namespace

Vocabulary::Vocabulary(TokenLevel level, std::vector<std::string> tokens, bool lowercase, std::string unk)
    : level_(level), lowercase_(lowercase), unk_(std::move(unk)), tokens_(std::move(tokens)) {
  index_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (!index_.emplace(tokens_[i], static_cast<int>(i)).second)
      throw InputError("vocabulary lists the token " + describeToken(tokens_[i]) + " twice");
  }
  if (!unk_.empty()) {
    unkId_ = idOf(unk_);
    if (unkId_ < 0) throw InputError("vocabulary's UNK token " + describeToken(unk_) + " is not in it");
  }
}

void Vocabulary::setWordSeparators(std::string characters) {
  separators_ = std::move(characters);
  separatorSet_.clear();
  for (const std::string& cp : splitCodePoints(separators_)) separatorSet_.insert(cp);
}

int Vocabulary::idOf(const std::string& token) const {
  const auto it = index_.find(token);
  return it == index_.end() ? -1 : it->second;
}

TokenizedText tokenize(const Vocabulary& vocab, std::string_view text, const std::string& sourceName) {
  const std::string source = sourceName.empty() ? std::string("text") : sourceName;
  // A byte-order mark (Windows editors write one) is not part of the text, wherever the text came from.
  size_t base = 0;  // byte offset of `text` in the text as given, for the error's spans
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3), base = 3;
  if (text.empty()) throw TextInputError(source, "the text is empty");
  const Utf8Issue issue = validateUtf8(text);
  if (!issue.ok) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "not valid UTF-8: bad byte 0x%02X at offset %zu (line %d, column %d)",
                  static_cast<unsigned char>(text[issue.byteOffset]), issue.byteOffset, issue.line, issue.column);
    throw TextInputError(source, buf, {{base + issue.byteOffset, 1}});
  }
  TokenizedText out;
  const std::vector<std::string> chars = splitCodePoints(text);
  int line = 1, column = 1;
  size_t offset = base;  // byte offset of the current code point in the text as given
  // Every unknown token is marked (up to a limit); the message names the first, as it always has.
  std::string firstUnknown;
  std::vector<TextSpan> unknown;
  auto addToken = [&](const std::string& surface, int tokLine, int tokColumn, size_t tokOffset) {
    const std::string key = vocab.lowercase() ? lowercaseUtf8(surface) : surface;
    int id = vocab.idOf(key);
    if (id < 0) {
      id = vocab.unkId();
      if (id < 0 && vocab.dropsUnknown()) return;  // as Keras' texts_to_sequences without an oov_token
      if (id < 0) {
        if (unknown.empty())
          firstUnknown = (vocab.level() == TokenLevel::Char ? "character " : "word ") + describeToken(surface) +
                         " at line " + std::to_string(tokLine) + ", column " + std::to_string(tokColumn) +
                         " is not in the model's vocabulary, and the vocabulary has no UNK token";
        if (unknown.size() < kMaxMarkedTokens) unknown.push_back({tokOffset, surface.size()});
        return;
      }
    }
    out.ids.push_back(id);
    out.surface.push_back(surface);
  };
  if (vocab.level() == TokenLevel::Char) {
    for (const std::string& cp : chars) {
      addToken(cp, line, column, offset);
      if (cp == "\n")
        ++line, column = 1;
      else
        ++column;
      offset += cp.size();
    }
  } else {
    std::string word;
    int wordLine = 1, wordColumn = 1;
    size_t wordOffset = base;
    for (const std::string& cp : chars) {
      if (isSpace(cp) || vocab.separates(cp)) {
        if (!word.empty()) addToken(word, wordLine, wordColumn, wordOffset);
        word.clear();
      } else {
        if (word.empty()) wordLine = line, wordColumn = column, wordOffset = offset;
        word += cp;
      }
      if (cp == "\n")
        ++line, column = 1;
      else
        ++column;
      offset += cp.size();
    }
    if (!word.empty()) addToken(word, wordLine, wordColumn, wordOffset);
  }
  if (!unknown.empty()) throw TextInputError(source, firstUnknown, std::move(unknown));
  if (vocab.level() == TokenLevel::Word && out.ids.empty())
    throw TextInputError(source, vocab.dropsUnknown() ? "the text has no word the vocabulary knows (unknown words are "
                                                        "dropped, as Keras does without an oov_token)"
                                                      : "the text has no words (only white space)");
  return out;
}

}  // namespace lstmscope
