// Token vocabulary and the tokenizer that turns text into ids with the vocabulary's rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lstmscope {

enum class TokenLevel { Char, Word };

class Vocabulary {
 public:
  Vocabulary() = default;
  Vocabulary(TokenLevel level, std::vector<std::string> tokens, bool lowercase = false, std::string unk = {});

  TokenLevel level() const { return level_; }
  bool lowercase() const { return lowercase_; }
  const std::string& unk() const { return unk_; }  // empty when the model has no UNK token
  const std::vector<std::string>& tokens() const { return tokens_; }
  int size() const { return static_cast<int>(tokens_.size()); }

  // Id of `token` (already lowercased if the vocabulary lowercases), or -1.
  int idOf(const std::string& token) const;
  // Whether token k is the number k for every k: the stand-in a model opened without its vocabulary gets.
  bool isNumbersOnly() const;
  int unkId() const { return unkId_; }
  // Tokens the tokenizer can never produce from text (padding and start markers such as '<pad>' in a
  // character vocabulary, a word holding white space, an upper-case token in a lowercasing vocabulary):
  // harmless, but a model file should say so rather than hide it. The UNK token is not among them.
  std::vector<int> unreachableTokens() const;

  // Keras Tokenizer rules (word level): these characters separate words like white space and are
  // dropped (Keras' `filters` and `split`), and words outside the vocabulary are dropped rather than
  // refused when there is no UNK token (what texts_to_sequences does without an oov_token).
  void setWordSeparators(std::string characters);
  const std::string& wordSeparators() const { return separators_; }
  bool separates(const std::string& codePoint) const { return separatorSet_.count(codePoint) != 0; }
  // Keras TextVectorization's standardize "strip_punctuation": these characters are removed from the text
  // before it is split (a word keeps its other characters: "don't" reads as "dont").
  void setStrippedCharacters(std::string characters);
  const std::string& strippedCharacters() const { return stripped_; }
  bool strips(const std::string& codePoint) const { return strippedSet_.count(codePoint) != 0; }
  void setDropUnknown(bool drop) { dropUnknown_ = drop; }
  bool dropsUnknown() const { return dropUnknown_; }

 private:
  TokenLevel level_ = TokenLevel::Char;
  bool lowercase_ = false;
  std::string unk_;
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int> index_;
  int unkId_ = -1;
  std::string separators_;
  std::unordered_set<std::string> separatorSet_;
  std::string stripped_;
  std::unordered_set<std::string> strippedSet_;
  bool dropUnknown_ = false;
};

struct TokenizedText {
  std::vector<int32_t> ids;
  std::vector<std::string> surface;  // each token's text as it appears in the input
};

// Tokenizes UTF-8 text: one token per code point (char level) or per word separated by white space or
// the vocabulary's word separators (word level). A leading byte-order mark is skipped. Throws TextInputError naming
// `sourceName` for empty or non-UTF-8 text, and for tokens that are not in the vocabulary when the vocabulary has no
// UNK token: the message names the first, the spans mark every one (up to 10,000) in `text` as given.
// (The streaming form, for files and limits: text_tokenizer.h.)
TokenizedText tokenize(const Vocabulary& vocab, std::string_view text, const std::string& sourceName);

// A token as messages quote it: in single quotes, with line breaks, tabs and other control characters
// escaped ('\n', '\x00'), so that no byte of it can cut or garble the message on a terminal; a token
// longer than `maxBytes` is cut at a character boundary and ends in "…".
std::string describeToken(std::string_view token, size_t maxBytes = std::string_view::npos);

}  // namespace lstmscope
