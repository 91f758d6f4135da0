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
  for (char ch : token) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      shown += "\\n";
    } else if (ch == '\t') {
      shown += "\\t";
    } else if (ch == '\r') {
      shown += "\\r";
    } else if (byte < 0x20 || byte == 0x7F) {  // a NUL used to end the message on the terminal there
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", byte);
      shown += hex;
    } else {
      shown += ch;
    }
  }
  return "'" + shown + (shortened ? "…'" : "'");
}

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

}  // namespace lstmscope
