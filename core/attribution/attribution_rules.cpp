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

bool relevanceAmplified(const LrpConservation& c) {
  return std::abs(c.inputRelevance) + std::abs(c.initialStateRelevance) >
         (1 + kLrpAbsorbedWarningShare) * std::abs(c.score);
}

LrpAdvice lrpAdvice(const LrpConservation& c, double epsilon, double biasFactor) {
  if (relevanceAmplified(c))
    return epsilon < kLrpLargeEpsilon ? LrpAdvice::LargerEpsilon : LrpAdvice::CompareWithGradients;
  if (!conservationWarning(c.absorbed(), c.score)) return LrpAdvice::None;
  return biasFactor < 1 ? LrpAdvice::BiasFactorTowardsOne : LrpAdvice::SmallerEpsilon;
}

}  // namespace lstmscope
