// The attribution rules both front ends apply: the warning thresholds at their boundaries, the step limits,
// and the name lists that the CLI's checks and the app's controls are built from.
#include "core/attribution/attribution_rules.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "core/attribution/attribution_report.h"

namespace lstmscope::test {
namespace {

TEST(AttributionRules, ConvergenceWarningAboveFivePercentOfTheScoreChange) {
  EXPECT_FALSE(convergenceWarning(0.05, 1.0));  // exactly 5 %: not flagged
  EXPECT_TRUE(convergenceWarning(0.0501, 1.0));
  EXPECT_FALSE(convergenceWarning(0.0499, 1.0));
  EXPECT_TRUE(convergenceWarning(-0.0501, 1.0));  // either sign of delta and of the change
  EXPECT_TRUE(convergenceWarning(0.0501, -1.0));
  EXPECT_FALSE(convergenceWarning(-0.0499, -1.0));
  EXPECT_FALSE(convergenceWarning(0.4, 10.0));
  EXPECT_TRUE(convergenceWarning(0.6, 10.0));
  EXPECT_TRUE(convergenceWarning(1e-3, 0.0));  // no change to share: any delta is a failure
  EXPECT_FALSE(convergenceWarning(0.0, 0.0));
  EXPECT_FALSE(convergenceWarning(NAN, 1.0));  // nothing to compare: no claim
}

TEST(AttributionRules, ConvergenceShareIsTheDeltaOverTheChange) {
  EXPECT_DOUBLE_EQ(convergenceShare(0.5, 10.0), 0.05);
  EXPECT_DOUBLE_EQ(convergenceShare(-0.5, 10.0), 0.05);
  EXPECT_DOUBLE_EQ(convergenceShare(0.5, -4.0), 0.125);
  EXPECT_EQ(convergenceShare(0.5, 0.0), 0.0);
}

TEST(AttributionRules, ConservationWarningAboveHalfTheScore) {
  EXPECT_FALSE(conservationWarning(0.5, 1.0));  // exactly half: not flagged
  EXPECT_TRUE(conservationWarning(0.5001, 1.0));
  EXPECT_FALSE(conservationWarning(0.4999, 1.0));
  EXPECT_TRUE(conservationWarning(-0.5001, 1.0));  // relevance amplified (negative absorbed) counts too
  EXPECT_TRUE(conservationWarning(1.5, -2.0));
  EXPECT_FALSE(conservationWarning(-0.9, -2.0));
  EXPECT_FALSE(conservationWarning(0.0, 0.0));
}

TEST(AttributionRules, AbsorbedShareKeepsItsSign) {
  EXPECT_DOUBLE_EQ(absorbedShare(0.25, 1.0), 0.25);
  EXPECT_DOUBLE_EQ(absorbedShare(-0.25, 1.0), -0.25);
  EXPECT_DOUBLE_EQ(absorbedShare(0.5, -2.0), -0.25);
  EXPECT_EQ(absorbedShare(0.5, 0.0), 0.0);
}

LrpConservation conservation(double score, double input, double initialState) {
  LrpConservation c;
  c.score = score, c.inputRelevance = input, c.initialStateRelevance = initialState;
  return c;
}

TEST(AttributionRules, AmplifiedWhenWhatArrivesExceedsOneAndAHalfScores) {
  EXPECT_FALSE(relevanceAmplified(conservation(1, 1.5, 0)));  // exactly 1.5: not flagged
  EXPECT_TRUE(relevanceAmplified(conservation(1, 1.5001, 0)));
  EXPECT_TRUE(relevanceAmplified(conservation(1, -1.5001, 0)));
  EXPECT_TRUE(relevanceAmplified(conservation(-2, 3.0001, 0)));
  EXPECT_FALSE(relevanceAmplified(conservation(-2, -2.9999, 0)));
  // Conserved (bias factor 1) but huge and opposite at the input and the initial state.
  EXPECT_TRUE(relevanceAmplified(conservation(1, -57.6, 58.6)));
  EXPECT_FALSE(relevanceAmplified(conservation(1, 0.75, 0.75)));
  EXPECT_TRUE(relevanceAmplified(conservation(1, 0.75, 0.7501)));
  EXPECT_FALSE(relevanceAmplified(conservation(1, 0, 0)));  // everything absorbed: lost, not amplified
  EXPECT_FALSE(relevanceAmplified(conservation(0, 0, 0)));
}

TEST(AttributionRules, LrpAdviceFollowsTheNumbers) {
  // Conserved and not amplified: nothing to advise, at any setting.
  EXPECT_EQ(lrpAdvice(conservation(1, 0.94, 0.06), 0.1, 1), LrpAdvice::None);
  EXPECT_EQ(lrpAdvice(conservation(1, 0.5, 0), 0.001, 0), LrpAdvice::None);  // exactly half absorbed
  // Amplified (the demo at the CLI's default, 5e13 %): a larger ε bounds the small denominators...
  EXPECT_EQ(lrpAdvice(conservation(9.1, -4.6e14, 0), 0.001, 0), LrpAdvice::LargerEpsilon);
  EXPECT_EQ(lrpAdvice(conservation(1, 1.5001, 0), 0.001, 0), LrpAdvice::LargerEpsilon);
  EXPECT_EQ(lrpAdvice(conservation(1, -57.6, 58.6), 0.001, 1), LrpAdvice::LargerEpsilon);
  EXPECT_EQ(lrpAdvice(conservation(1, 2, 0), kLrpLargeEpsilon * 0.999, 1), LrpAdvice::LargerEpsilon);
  // ... until ε is large: then it is not small denominators.
  EXPECT_EQ(lrpAdvice(conservation(1, 2, 0), kLrpLargeEpsilon, 1), LrpAdvice::CompareWithGradients);
  EXPECT_EQ(lrpAdvice(conservation(1, -2, 0), 5, 0), LrpAdvice::CompareWithGradients);
  // Lost to biases and ε (the demo at ε = 0.1, bias factor 0: a larger ε would absorb more).
  EXPECT_EQ(lrpAdvice(conservation(1, -0.08, 0), 0.1, 0), LrpAdvice::BiasFactorTowardsOne);
  EXPECT_EQ(lrpAdvice(conservation(1, 0.4999, 0), 0.1, 0), LrpAdvice::BiasFactorTowardsOne);
  EXPECT_EQ(lrpAdvice(conservation(1, 0.4999, 0), 0.1, 0.999), LrpAdvice::BiasFactorTowardsOne);
  EXPECT_EQ(lrpAdvice(conservation(-2, 0.5, 0), 1, 0.5), LrpAdvice::BiasFactorTowardsOne);
  // Lost with the bias factor already 1 (only rounding can do that, or a factor above 1): ε itself.
  EXPECT_EQ(lrpAdvice(conservation(1, 0.4999, 0), 0.1, 1), LrpAdvice::SmallerEpsilon);
  EXPECT_EQ(lrpAdvice(conservation(1, 0.4, 0), 0.1, 2), LrpAdvice::SmallerEpsilon);
}

TEST(AttributionRules, AppLrpDefaultConservesWhereTheCliKeepsTheAuthorsDefault) {
  EXPECT_EQ(LrpOptions{}.epsilon, 0.001);  // the CLI's documented --eps
  EXPECT_EQ(LrpOptions{}.biasFactor, 0);   // and --bias-factor
  EXPECT_GT(kAppLrpEpsilon, LrpOptions{}.epsilon);
  EXPECT_LT(kAppLrpEpsilon, kLrpLargeEpsilon);
  EXPECT_EQ(kAppLrpBiasFactor, 1);
}

TEST(AttributionRules, IgStepLimits) {
  EXPECT_EQ(kDefaultIgSteps, 64);
  EXPECT_EQ(AttributionSettings{}.steps, kDefaultIgSteps);
  EXPECT_FALSE(validIgSteps(0));
  EXPECT_TRUE(validIgSteps(1));
  EXPECT_TRUE(validIgSteps(kDefaultIgSteps));
  EXPECT_TRUE(validIgSteps(kMaxIgSteps));
  EXPECT_FALSE(validIgSteps(kMaxIgSteps + 1L));
  EXPECT_FALSE(validIgSteps(-1));
  // The app's interactive cap is a valid request, and no more than the limit.
  EXPECT_TRUE(validIgSteps(kMaxInteractiveIgSteps));
  EXPECT_LE(kMaxInteractiveIgSteps, kMaxIgSteps);
  EXPECT_GE(kMaxInteractiveIgSteps, kDefaultIgSteps);
}

TEST(AttributionRules, EveryQuadratureRuleOnceByItsName) {
  std::set<std::string> names;
  for (const QuadratureRule r : kQuadratureRules) {
    QuadratureRule parsed = QuadratureRule::Left;
    EXPECT_TRUE(parseQuadratureRule(quadratureRuleName(r), parsed)) << quadratureRuleName(r);
    EXPECT_EQ(parsed, r);
    names.insert(quadratureRuleName(r));
  }
  EXPECT_EQ(names, (std::set<std::string>{"left", "right", "midpoint", "trapezoid", "gausslegendre"}));
  EXPECT_EQ(kQuadratureRules[0], kDefaultQuadratureRule);  // offered first
  EXPECT_EQ(AttributionSettings{}.rule, kDefaultQuadratureRule);
  QuadratureRule unchanged = QuadratureRule::Trapezoid;
  EXPECT_FALSE(parseQuadratureRule("simpson", unchanged));
  EXPECT_EQ(unchanged, QuadratureRule::Trapezoid);
}

TEST(AttributionRules, EveryMethodOnceByItsName) {
  std::set<std::string> names;
  for (const AttributionMethod m : kAllAttributionMethods) {
    AttributionMethod parsed = AttributionMethod::Saliency;
    EXPECT_TRUE(parseAttributionMethod(attributionMethodName(m), parsed)) << attributionMethodName(m);
    EXPECT_EQ(parsed, m);
    names.insert(attributionMethodName(m));
  }
  EXPECT_EQ(names, (std::set<std::string>{"saliency", "gradxinput", "ig", "lrp", "occlusion"}));
}

TEST(AttributionRules, BaselinesTheDefaultFirst) {
  EXPECT_EQ(std::string(kBaselineNames[0]), AttributionSettings{}.baselineName);
  EXPECT_EQ(std::string(kBaselineNames[0]), "zero");
  EXPECT_EQ(std::size(kBaselineNames), 3u);
  Architecture arch;  // no vocabulary: only the zero baseline exists, every listed name is understood
  EXPECT_EQ(baselineTokenNamed(arch, kBaselineNames[0], "m"), std::nullopt);
}

TEST(AttributionRules, FigureContextReachesBackFurtherThanAhead) {
  EXPECT_GT(kFigureContextBefore, kFigureContextAfter);
  EXPECT_GE(kFigureContextAfter, 0);
}

}  // namespace
}  // namespace lstmscope::test
