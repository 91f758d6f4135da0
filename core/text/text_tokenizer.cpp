#include "core/text/text_tokenizer.h"

#include <cstdio>

#include "core/text/utf8.h"

namespace lstmscope {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// How many unknown tokens an error marks: enough for any editor, bounded for a text of nothing else.
constexpr size_t kMaxMarkedTokens = 10000;

bool isSpace(std::string_view cp) {
  return cp == " " || cp == "\n" || cp == "\t" || cp == "\r" || cp == "\v" || cp == "\f";
}

// Bytes a code point starting with `lead` takes (1 for a byte that cannot start one: validation names it).
size_t codePointLength(unsigned char lead) {
  return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

// Where the last code point of `bytes` starts if the piece cuts it short, else bytes.size().
size_t cutCodePointStart(std::string_view bytes) {
  for (size_t back = 1; back <= 3 && back <= bytes.size(); ++back) {
    const auto b = static_cast<unsigned char>(bytes[bytes.size() - back]);
    if ((b & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    return codePointLength(b) > back ? bytes.size() - back : bytes.size();
  }
  return bytes.size();
}

}  // namespace

TextTokenizer::TextTokenizer(const Vocabulary& vocab, std::string sourceName, size_t maxTokens, std::string limitAdvice)
    : vocab_(vocab),
      source_(sourceName.empty() ? std::string("text") : std::move(sourceName)),
      limitAdvice_(std::move(limitAdvice)),
      maxTokens_(maxTokens) {}

void TextTokenizer::feed(std::string_view bytes) {
  if (!started_) {
    // A byte-order mark (Windows editors write one) is not part of the text, wherever the text came from.
    carry_.append(bytes);
    if (carry_.size() < kByteOrderMark.size() && kByteOrderMark.starts_with(carry_)) return;
    started_ = true;
    std::string first = std::move(carry_);
    carry_.clear();
    std::string_view rest = first;
    if (rest.starts_with(kByteOrderMark)) rest.remove_prefix(kByteOrderMark.size()), offset_ = kByteOrderMark.size();
    const size_t cut = cutCodePointStart(rest);
    feedWhole(rest.substr(0, cut));
    carry_.assign(rest.substr(cut));
    return;
  }
  if (!carry_.empty()) {  // complete the code point the last piece cut (at most 3 bytes move)
    const size_t want = codePointLength(static_cast<unsigned char>(carry_[0]));
    const size_t more = std::min(want - carry_.size(), bytes.size());
    carry_.append(bytes.substr(0, more));
    bytes.remove_prefix(more);
    if (carry_.size() < want) return;
    const std::string whole = std::move(carry_);
    carry_.clear();
    feedWhole(whole);
  }
  const size_t cut = cutCodePointStart(bytes);
  feedWhole(bytes.substr(0, cut));
  carry_.assign(bytes.substr(cut));
}

void TextTokenizer::feedWhole(std::string_view bytes) {
  if (bytes.empty()) return;
  sawText_ = true;
  const Utf8Issue issue = validateUtf8(bytes);
  if (!issue.ok) {
    const size_t at = offset_ + issue.byteOffset;
    const int line = line_ + issue.line - 1, column = issue.line == 1 ? column_ + issue.column - 1 : issue.column;
    badByte(static_cast<unsigned char>(bytes[issue.byteOffset]), at, line, column);
  }
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t n = codePointLength(static_cast<unsigned char>(bytes[i]));
    take(bytes.substr(i, n));
    i += n;
  }
}

void TextTokenizer::badByte(unsigned char byte, size_t offset, int line, int column) const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "not valid UTF-8: bad byte 0x%02X at offset %zu (line %d, column %d)", byte, offset,
                line, column);
  throw TextInputError(source_, buf, {{offset, 1}});
}

void TextTokenizer::take(std::string_view cp) {
  if (vocab_.strips(std::string(cp))) {
    // Removed before splitting, as TextVectorization's standardize does: neither a token nor a separator.
  } else if (vocab_.level() == TokenLevel::Char) {
    addToken(std::string(cp), line_, column_, offset_);
  } else if (isSpace(cp) || vocab_.separates(std::string(cp))) {
    if (!word_.empty()) addToken(word_, wordLine_, wordColumn_, wordOffset_);
    word_.clear();
  } else {
    if (word_.empty()) wordLine_ = line_, wordColumn_ = column_, wordOffset_ = offset_;
    word_ += cp;
  }
  if (cp == "\n")
    ++line_, column_ = 1;
  else
    ++column_;
  offset_ += cp.size();
}

void TextTokenizer::addToken(const std::string& surface, int line, int column, size_t offset) {
  const std::string key = vocab_.lowercase() ? lowercaseUtf8(surface) : surface;
  int id = vocab_.idOf(key);
  if (id < 0) {
    id = vocab_.unkId();
    if (id < 0 && vocab_.dropsUnknown()) return;  // as Keras' texts_to_sequences without an oov_token
  }
  if (++tokens_ > maxTokens_)
    throw TextInputError(source_, "the text has more than " + std::to_string(maxTokens_) + " tokens, the limit" +
                                      (limitAdvice_.empty() ? std::string() : " (" + limitAdvice_ + ")"));
  if (id < 0) {  // every unknown token is marked (up to a limit); the message names the first
    if (unknown_.empty())
      firstUnknown_ = (vocab_.level() == TokenLevel::Char ? "character " : "word ") + describeToken(surface) +
                      " at line " + std::to_string(line) + ", column " + std::to_string(column) +
                      " is not in the model's vocabulary" +
                      (vocab_.isNumbersOnly()
                           ? ": the model came without one, so its tokens are the numbers 0 to " +
                                 std::to_string(vocab_.size() - 1) +
                                 " (give its vocabulary: --vocab on the command line, the import dialog in the app)"
                           : std::string(", and the vocabulary has no UNK token"));
    if (unknown_.size() < kMaxMarkedTokens) unknown_.push_back({offset, surface.size()});
    return;
  }
  out_.ids.push_back(id);
  out_.surface.push_back(surface);
}

TokenizedText TextTokenizer::finish() {
  started_ = true;  // a text shorter than a byte-order mark but starting like one is a cut code point
  if (!carry_.empty()) badByte(static_cast<unsigned char>(carry_[0]), offset_, line_, column_);  // a cut code point
  if (!sawText_ && !allowEmpty_) throw TextInputError(source_, "the text is empty");
  if (!word_.empty()) addToken(word_, wordLine_, wordColumn_, wordOffset_), word_.clear();
  if (!unknown_.empty()) throw TextInputError(source_, firstUnknown_, std::move(unknown_));
  if (vocab_.level() == TokenLevel::Word && out_.ids.empty() && !allowEmpty_)
    throw TextInputError(source_, vocab_.dropsUnknown()
                                      ? "the text has no word the vocabulary knows (unknown words are "
                                        "dropped, as Keras does without an oov_token)"
                                      : "the text has no words (only white space)");
  return std::move(out_);
}

TokenizedText tokenize(const Vocabulary& vocab, std::string_view text, const std::string& sourceName) {
  TextTokenizer tokenizer(vocab, sourceName);
  tokenizer.feed(text);
  return tokenizer.finish();
}

}  // namespace lstmscope
