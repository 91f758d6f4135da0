#include "core/text/vocabulary.h"

#include <cstdio>

#include "core/common/error.h"
#include "core/text/utf8.h"

namespace lstmscope {

std::string describeToken(std::string_view token, size_t maxBytes) {
  std::string_view cut = token.substr(0, maxBytes);
  if (cut.size() < token.size())  // not inside a character
    while (!cut.empty() && (static_cast<unsigned char>(token[cut.size()]) & 0xC0) == 0x80) cut.remove_suffix(1);
  const bool shortened = cut.size() < token.size();
  token = cut;
  std::string shown;
  const auto escaped = [&](unsigned char byte) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02X", byte);
    shown += hex;
  };
  const auto appendValid = [&](std::string_view valid) {
    for (char ch : valid) {
      const auto byte = static_cast<unsigned char>(ch);
      if (ch == '\n')
        shown += "\\n";
      else if (ch == '\t')
        shown += "\\t";
      else if (ch == '\r')
        shown += "\\r";
      else if (byte < 0x20 || byte == 0x7F)  // a NUL used to end the message on the terminal there
        escaped(byte);
      else
        shown += ch;
    }
  };
  // A byte that is not part of valid UTF-8 (a Latin-1 cell in a CSV table) is escaped too: copied raw, it
  // garbles the terminal and any UTF-8 log the message goes to.
  while (!token.empty()) {
    const Utf8Issue issue = validateUtf8(token);
    if (issue.ok) {
      appendValid(token);
      break;
    }
    appendValid(token.substr(0, issue.byteOffset));
    escaped(static_cast<unsigned char>(token[issue.byteOffset]));
    token.remove_prefix(issue.byteOffset + 1);
  }
  return "'" + shown + (shortened ? "…'" : "'");
}

Vocabulary::Vocabulary(TokenLevel level, std::vector<std::string> tokens, bool lowercase, std::string unk)
    : level_(level), lowercase_(lowercase), unk_(std::move(unk)), tokens_(std::move(tokens)) {
  index_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    // Text is UTF-8: such an entry can only come from a damaged or crafted file, and would silently never
    // match. (An empty token is a placeholder, such as Keras' padding id 0: unreachableTokens() names it.)
    if (const Utf8Issue bad = validateUtf8(tokens_[i]); !bad.ok)
      throw InputError("vocabulary token " + std::to_string(i) + " " + describeToken(tokens_[i], 40) +
                       " is not valid UTF-8");
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

void Vocabulary::setStrippedCharacters(std::string characters) {
  stripped_ = std::move(characters);
  strippedSet_.clear();
  for (const std::string& cp : splitCodePoints(stripped_)) strippedSet_.insert(cp);
}

std::vector<int> Vocabulary::unreachableTokens() const {
  std::vector<int> out;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (static_cast<int>(i) == unkId_) continue;
    const std::vector<std::string> chars = splitCodePoints(tokens_[i]);
    bool reachable = !chars.empty();
    if (level_ == TokenLevel::Char) {
      reachable = chars.size() == 1;
    } else {
      for (const std::string& c : chars)
        reachable =
            reachable && !(c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\v" || c == "\f") && !separates(c);
    }
    for (const std::string& c : chars) reachable = reachable && !strips(c);
    if (lowercase_ && lowercaseUtf8(tokens_[i]) != tokens_[i]) reachable = false;
    if (!reachable) out.push_back(static_cast<int>(i));
  }
  return out;
}

int Vocabulary::idOf(const std::string& token) const {
  const auto it = index_.find(token);
  return it == index_.end() ? -1 : it->second;
}

bool Vocabulary::isNumbersOnly() const {
  for (size_t k = 0; k < tokens_.size(); ++k)
    if (tokens_[k] != std::to_string(k)) return false;
  return !tokens_.empty();
}

}  // namespace lstmscope
