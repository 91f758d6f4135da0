// The tokenizer as a stream: text arrives in pieces of any size (a file read a megabyte at a time, split
// anywhere, even inside a code point), and a token limit stops it as soon as the text is longer, so the
// memory a text costs is bounded by the limit, not by the file.
#pragma once

#include <limits>
#include <string>
#include <string_view>

#include "core/common/error.h"
#include "core/text/vocabulary.h"

namespace lstmscope {

class TextTokenizer {
 public:
  // `limitAdvice` ends the message of a text longer than `maxTokens` ("raise it with --max-steps").
  TextTokenizer(const Vocabulary& vocab, std::string sourceName, size_t maxTokens = std::numeric_limits<size_t>::max(),
                std::string limitAdvice = {});

  // Tokenizes the next piece. Throws TextInputError for bytes that are not UTF-8 and for a text longer
  // than the limit, naming where (line and column count from the first piece).
  void feed(std::string_view bytes);
  // The tokens. Throws TextInputError as tokenize() does (empty text, unknown tokens, a cut code point).
  TokenizedText finish();
  // A text with no token is then no error (a corpus document may be empty: an __init__.py).
  void allowEmpty() { allowEmpty_ = true; }

 private:
  void feedWhole(std::string_view bytes);  // complete code points only
  void take(std::string_view codePoint);
  void addToken(const std::string& surface, int line, int column, size_t offset);
  [[noreturn]] void badByte(unsigned char byte, size_t offset, int line, int column) const;

  const Vocabulary& vocab_;
  std::string source_, limitAdvice_;
  size_t maxTokens_;
  std::string carry_;     // the start of a code point (or of a byte-order mark) the next piece completes
  bool started_ = false;  // the byte-order mark is decided
  bool sawText_ = false;
  bool allowEmpty_ = false;
  size_t offset_ = 0;  // byte offset of the next code point in the text as given
  int line_ = 1, column_ = 1;
  std::string word_;  // word level: the word being read, and where it began
  int wordLine_ = 1, wordColumn_ = 1;
  size_t wordOffset_ = 0;
  size_t tokens_ = 0;  // known and unknown
  TokenizedText out_;
  std::string firstUnknown_;
  std::vector<TextSpan> unknown_;
};

}  // namespace lstmscope
