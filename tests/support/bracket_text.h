// Text of the bracket language the fixture model resources/fixtures/brackets_char.h5 was trained on.
#pragma once

#include <random>
#include <string>

namespace lstmscope::test {

// Balanced bracket lines, as resources/fixtures/make_brackets.py makes them (other random numbers).
inline std::string bracketText(int lines, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::string s;
  for (int k = 0; k < lines; ++k) {
    int depth = 0;
    std::string line;
    while (true) {
      if (depth == 0 && !line.empty() && u(rng) < 0.25) break;
      if (depth < 8 && (depth == 0 || u(rng) < 0.5))
        line += '(', ++depth;
      else
        line += ')', --depth;
    }
    s += line + "\n";
  }
  return s;
}

}  // namespace lstmscope::test
