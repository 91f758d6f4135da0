#include "core/analysis/text_labels.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace lstmscope {
namespace {

bool continuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
// Letters, digits and '_', and every non-ASCII character (letters of other scripts).
bool wordCharacter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool letter(char c) {
  return wordCharacter(c) && !(c >= '0' && c <= '9') && c != '_';
}

// Python's string prefixes (f'…', rb"…"): a quote after one of them opens a string, not an apostrophe.
bool stringPrefix(const std::string& text, size_t quoteAt) {
  size_t start = quoteAt;
  while (start > 0 && letter(text[start - 1])) --start;
  std::string word = text.substr(start, quoteAt - start);
  std::transform(word.begin(), word.end(), word.begin(), [](char c) { return static_cast<char>(c | 0x20); });
  static const std::array<const char*, 10> prefixes{"r", "u", "b", "f", "rb", "br", "fr", "rf", "bu", "ub"};
  return std::find(prefixes.begin(), prefixes.end(), word) != prefixes.end();
}

// C-like text (// and /* */ comments, '#' a preprocessor line) has a "/*" or a line whose first non-blank
// characters are "//"; other text (Python, shell, prose) has '#' comments, and "//" is floor division.
bool cLikeComments(const std::string& text) {
  if (text.find("/*") != std::string::npos) return true;
  bool lineStart = true;
  for (size_t k = 0; k + 1 < text.size(); ++k) {
    if (lineStart && text[k] == '/' && text[k + 1] == '/') return true;
    if (text[k] == '\n')
      lineStart = true;
    else if (text[k] != ' ' && text[k] != '\t')
      lineStart = false;
  }
  return false;
}

// The state after every character of one document, sampled at the end of each token.
struct TokenState {
  std::array<double, 3> depth{};  // (), [], {}
  bool single = false, dbl = false, comment = false;
  double indent = 0, linePosition = 0;
};

class DocumentScan {
 public:
  DocumentScan(const std::vector<std::string>& tokens, long first, long end, const std::string& separator) {
    for (long t = first; t < end; ++t) {
      if (t > first) text_ += separator;
      text_ += tokens[static_cast<size_t>(t)];
      ends_.push_back(text_.size());
    }
    cLike_ = cLikeComments(text_);
    scan();
  }
  const std::vector<TokenState>& states() const { return states_; }

  // Characters after the token up to the next newline (0 right before one or at the end of the text).
  std::vector<double> newlineDistance() const {
    std::vector<double> out(ends_.size());
    std::vector<double> remaining(text_.size() + 1, 0.0);  // remaining[k]: characters in [k, next newline)
    for (size_t k = text_.size(); k-- > 0;)
      remaining[k] = text_[k] == '\n' ? 0.0 : remaining[k + 1] + (continuationByte(text_[k]) ? 0.0 : 1.0);
    for (size_t t = 0; t < ends_.size(); ++t) out[t] = remaining[ends_[t]];
    return out;
  }

  // 1 where a word ends: the token's last character is a word character and the next one is not.
  std::vector<double> wordBoundary() const {
    std::vector<double> out(ends_.size());
    for (size_t t = 0; t < ends_.size(); ++t) {
      const size_t at = ends_[t];
      const size_t start = t == 0 ? 0 : ends_[t - 1];
      const bool endsInWord = at > start && wordCharacter(text_[at - 1]);
      out[t] = endsInWord && (at == text_.size() || !wordCharacter(text_[at])) ? 1.0 : 0.0;
    }
    return out;
  }

 private:
  enum class Inside { Code, Single, Double, LineComment, BlockComment };

  void scan() {
    Inside inside = Inside::Code;
    bool triple = false, escaped = false, atLineStart = true;
    TokenState s;
    const auto countPosition = [&](char c) {
      if (!continuationByte(c)) s.linePosition = c == '\n' ? 0 : s.linePosition + 1;
      if (c == '\n') {
        s.indent = 0, atLineStart = true;
      } else if (atLineStart && (c == ' ' || c == '\t')) {
        ++s.indent;
      } else {
        atLineStart = false;
      }
    };
    size_t nextToken = 0;
    while (nextToken < ends_.size() && ends_[nextToken] == 0) sampleInto(nextToken++, inside, s);
    for (size_t k = 0; k < text_.size(); ++k) {
      const size_t last = step(k, inside, triple, escaped, s);
      for (; k <= last; ++k) countPosition(text_[k]);
      --k;
      // Every token that ends here (several when tokens are empty) sees the state after its last character.
      while (nextToken < ends_.size() && ends_[nextToken] <= k + 1) sampleInto(nextToken++, inside, s);
    }
    while (nextToken < ends_.size()) sampleInto(nextToken++, inside, s);
  }

  // Reads the character at k (and, for ''' and """, the two after it); returns the last index read.
  size_t step(size_t k, Inside& inside, bool& triple, bool& escaped, TokenState& s) const {
    const char c = text_[k];
    const auto next = [&](size_t n) { return k + n < text_.size() ? text_[k + n] : '\0'; };
    switch (inside) {
      case Inside::Single:
      case Inside::Double: {
        const char quote = inside == Inside::Single ? '\'' : '"';
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (triple && c == quote && next(1) == quote && next(2) == quote) {
          inside = Inside::Code;
          return k + 2;
        } else if (!triple && (c == quote || c == '\n')) {  // an unterminated string ends with its line
          inside = Inside::Code;
        }
        return k;
      }
      case Inside::LineComment:
        if (c == '\n') inside = Inside::Code;
        return k;
      case Inside::BlockComment:
        if (c == '*' && next(1) == '/') {
          inside = Inside::Code;
          return k + 1;
        }
        return k;
      case Inside::Code:
        break;
    }
    if (c == '"' || (c == '\'' && !apostrophe(k))) {
      inside = c == '\'' ? Inside::Single : Inside::Double;
      triple = next(1) == c && next(2) == c;
      return triple ? k + 2 : k;
    }
    if ((!cLike_ && c == '#') || (cLike_ && c == '/' && next(1) == '/')) {
      inside = Inside::LineComment;
    } else if (cLike_ && c == '/' && next(1) == '*') {
      inside = Inside::BlockComment;
      return k + 1;
    }
    static const std::string opening = "([{", closing = ")]}";
    if (const size_t kind = opening.find(c); kind != std::string::npos) ++s.depth[kind];
    if (const size_t kind = closing.find(c); kind != std::string::npos && s.depth[kind] > 0) --s.depth[kind];
    return k;
  }

  // An apostrophe (don't, l'homme) rather than a quote: between two letters, after no string prefix.
  bool apostrophe(size_t k) const {
    return k > 0 && k + 1 < text_.size() && letter(text_[k - 1]) && letter(text_[k + 1]) && !stringPrefix(text_, k);
  }

  void sampleInto(size_t token, Inside inside, TokenState s) {
    s.single = inside == Inside::Single, s.dbl = inside == Inside::Double;
    s.comment = inside == Inside::LineComment || inside == Inside::BlockComment;
    states_.resize(std::max(states_.size(), token + 1));
    states_[token] = s;
  }

  std::string text_;
  std::vector<size_t> ends_;  // where each token ends in text_
  bool cLike_ = false;
  std::vector<TokenState> states_;
};

double valueOf(const std::string& name, const TokenState& s) {
  if (name == "bracket-depth") return s.depth[0] + s.depth[1] + s.depth[2];
  if (name == "paren-depth") return s.depth[0];
  if (name == "square-depth") return s.depth[1];
  if (name == "curly-depth") return s.depth[2];
  if (name == "quote") return s.single || s.dbl ? 1 : 0;
  if (name == "single-quote") return s.single ? 1 : 0;
  if (name == "double-quote") return s.dbl ? 1 : 0;
  if (name == "comment") return s.comment ? 1 : 0;
  if (name == "indent") return s.indent;
  return s.linePosition;  // line-position
}

}  // namespace

const std::vector<BuiltinLabel>& builtinLabels() {
  static const std::vector<BuiltinLabel> labels{
      {"bracket-depth", "open (), [] and {} outside strings and comments (a closing bracket never goes below 0)"},
      {"paren-depth", "open ( ) only"},
      {"square-depth", "open [ ] only"},
      {"curly-depth", "open { } only"},
      {"quote", "1 inside a '...' or \"...\" string (also ''' and \"\"\"; \\ escapes; an apostrophe is no quote)",
       true},
      {"single-quote", "1 inside a '...' string", true},
      {"double-quote", "1 inside a \"...\" string", true},
      {"comment", "1 inside a comment: # to the line's end, or // and /* */ in C-like text", true},
      {"indent", "spaces and tabs at the start of the line (a tab counts one)"},
      {"line-position", "characters since the last newline (the newline: 0)"},
      {"newline-distance", "characters after the token before the next newline"},
      {"word-boundary", "1 at the token that ends a word (letters, digits, _)", true},
      {"document", "the document's number, from 0"},
  };
  return labels;
}

std::string builtinLabelNames() {
  std::string names;
  for (const BuiltinLabel& label : builtinLabels()) names += (names.empty() ? "" : ", ") + label.name;
  return names;
}

const BuiltinLabel* findBuiltinLabel(const std::string& name) {
  const std::string canonical = name == "inside-quotes" ? "quote" : name == "indentation" ? "indent" : name;
  for (const BuiltinLabel& label : builtinLabels())
    if (label.name == canonical) return &label;
  return nullptr;
}

std::vector<double> builtinLabel(const std::string& name, const std::vector<std::string>& tokens,
                                 const std::vector<int64_t>& offsets, const std::string& separator) {
  const BuiltinLabel* label = findBuiltinLabel(name);
  if (label == nullptr) throw std::invalid_argument("unknown built-in label '" + name + "'");
  std::vector<double> out;
  out.reserve(tokens.size());
  for (size_t d = 0; d + 1 < offsets.size(); ++d) {
    if (label->name == "document") {
      out.insert(out.end(), static_cast<size_t>(offsets[d + 1] - offsets[d]), static_cast<double>(d));
      continue;
    }
    const DocumentScan scan(tokens, offsets[d], offsets[d + 1], separator);
    if (label->name == "newline-distance" || label->name == "word-boundary") {
      const std::vector<double> v = label->name == "word-boundary" ? scan.wordBoundary() : scan.newlineDistance();
      out.insert(out.end(), v.begin(), v.end());
      continue;
    }
    for (const TokenState& s : scan.states()) out.push_back(valueOf(label->name, s));
  }
  return out;
}

}  // namespace lstmscope
