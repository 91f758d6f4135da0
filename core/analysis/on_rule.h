// When a unit counts as "on" at a step (LSTMVis's threshold, docs/CLI.md "match"): its value, through tanh
// or not, is at least a threshold. Shared by the match scan and the index a trace records, which must
// agree bit for bit.
#pragma once

#include <optional>

#include "core/engine/record.h"

namespace lstmscope {

struct OnRule {
  double threshold = 0.3;
  bool tanh = false;  // compare tanh(value), in double
};

// The rule a trace's index is recorded with: 0.3, through tanh for cell states, raw for the others.
inline OnRule defaultOnRule(Quantity q) {
  return {0.3, q == Quantity::C};
}

// The smallest float value that is on (the transform never decreases), so that "on" is one float
// comparison; none when no float value is on.
std::optional<float> lowestOnValue(const OnRule& rule);

}  // namespace lstmscope
