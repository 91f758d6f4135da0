// UTF-8 validation and splitting into code points.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lstmscope {

struct Utf8Issue {
  bool ok = true;
  size_t byteOffset = 0;  // offset of the first invalid byte when !ok
  int line = 1;           // 1-based line/column (in code points) of that byte
  int column = 1;
};

// Checks that `text` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF).
Utf8Issue validateUtf8(std::string_view text);

// Splits well-formed UTF-8 into one string per code point. Precondition: validateUtf8(text).ok.
std::vector<std::string> splitCodePoints(std::string_view text);

// Lowercases ASCII letters and the Latin-1/Latin Extended-A, Greek and Cyrillic capitals whose lowercase
// form is a fixed offset away. Other code points are left unchanged (no locale or ICU dependency).
std::string lowercaseUtf8(std::string_view text);

// One code point as UTF-8 (1 to 4 bytes).
std::string encodeUtf8(char32_t codePoint);

}  // namespace lstmscope
