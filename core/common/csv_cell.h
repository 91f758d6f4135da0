// A CSV cell in double quotes, quotes inside doubled (RFC 4180): "a ""quoted"" cell".
#pragma once

#include <string>

namespace lstmscope {

inline std::string csvQuoted(const std::string& cell) {
  std::string out = "\"";
  for (const char c : cell) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace lstmscope
