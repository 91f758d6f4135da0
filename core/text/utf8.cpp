#include "core/text/utf8.h"

namespace lstmscope {
namespace {

// Length of the sequence starting with lead byte `b`, or 0 if `b` cannot start one.
int sequenceLength(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

// Decodes the code point at text[i] (well-formed), returning its value and advancing i.
char32_t decode(std::string_view text, size_t& i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  const int n = sequenceLength(b0);
  char32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  i += n;
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

char32_t toLower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 32;  // Latin-1
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x138 && cp != 0x149 && cp != 0x178) {
    // Latin Extended-A alternates upper/lower, with the parity flipping at 0x139..0x148 and 0x179..0x17E.
    const bool oddUpper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if ((cp % 2 == 1) == oddUpper) return cp + 1;
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;  // Greek
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                 // Cyrillic
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

}  // namespace

Utf8Issue validateUtf8(std::string_view text) {
  Utf8Issue issue;
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const int n = sequenceLength(b0);
    bool good = n > 0 && i + n <= text.size();
    for (int k = 1; good && k < n; ++k) good = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (good && n >= 3) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      if (b0 == 0xE0 && b1 < 0xA0) good = false;  // overlong
      if (b0 == 0xED && b1 > 0x9F) good = false;  // UTF-16 surrogate
      if (b0 == 0xF0 && b1 < 0x90) good = false;  // overlong
      if (b0 == 0xF4 && b1 > 0x8F) good = false;  // above U+10FFFF
    }
    if (!good) {
      issue.ok = false;
      issue.byteOffset = i;
      return issue;
    }
    if (b0 == '\n') {
      ++issue.line;
      issue.column = 1;
    } else {
      ++issue.column;
    }
    i += n;
  }
  return issue;
}

std::vector<std::string> splitCodePoints(std::string_view text) {
  std::vector<std::string> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    decode(text, i);
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::string lowercaseUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) encode(toLower(decode(text, i)), out);
  return out;
}

std::string encodeUtf8(char32_t codePoint) {
  std::string out;
  encode(codePoint, out);
  return out;
}

}  // namespace lstmscope
