// The planted-token task: strings of a-d, half of them with one marker 'x' at a random place, labelled
// "marked" or "plain". A classifier must find the marker; attribution must point at it.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "core/training/trainer.h"

namespace lstmscope::test {

inline std::vector<LabelledText> plantedTokenData(int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> len(5, 15), letter(0, 3), coin(0, 1);
  std::vector<LabelledText> data;
  for (int k = 0; k < count; ++k) {
    std::string s;
    const int n = len(rng);
    for (int i = 0; i < n; ++i) s += "abcd"[letter(rng)];
    const bool marked = coin(rng);
    if (marked) s[static_cast<size_t>(std::uniform_int_distribution<int>(0, n - 1)(rng))] = 'x';
    data.push_back({marked ? "marked" : "plain", s});
  }
  return data;
}

}  // namespace lstmscope::test
