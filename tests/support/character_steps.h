// Text as a model of characters reads it: one step per byte.
#pragma once

#include <string>
#include <vector>

namespace lstmscope::test {

inline std::vector<std::string> characters(const std::string& text) {
  std::vector<std::string> steps;
  for (const char c : text) steps.emplace_back(1, c);
  return steps;
}

}  // namespace lstmscope::test
