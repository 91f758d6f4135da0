#include "core/attribution/attribution_rules.h"

#include <cmath>

namespace lstmscope {

bool validIgSteps(long steps) {
  return steps >= 1 && steps <= kMaxIgSteps;
}

double convergenceShare(double delta, double scoreChange) {
  return scoreChange != 0 ? std::abs(delta / scoreChange) : 0.0;
}

// Compared as products, not shares, so that a zero score change needs no special case.
bool convergenceWarning(double delta, double scoreChange) {
  return std::abs(delta) > kIgDeltaWarningShare * std::abs(scoreChange);
}

double absorbedShare(double absorbed, double score) {
  return score != 0 ? absorbed / score : 0.0;
}

bool conservationWarning(double absorbed, double score) {
  return std::abs(absorbed) > kLrpAbsorbedWarningShare * std::abs(score);
}

}  // namespace lstmscope
