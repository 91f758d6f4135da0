// The rules the command line and the app's Attribution dock both apply (docs/ATTRIBUTION.md): how many
// Integrated Gradients steps may be asked for, when a result is flagged as unreliable, and how much text a
// figure of one target shows. Defined once here so that the two front ends cannot drift apart. The names
// they accept live next to their enums: kAllAttributionMethods, kQuadratureRules, kBaselineNames.
#pragma once

namespace lstmscope {

// Integrated Gradients' quadrature intervals (`--steps`, the dock's spin box).
constexpr int kDefaultIgSteps = 64;
// All path points run as one batch, so memory grows with the step count; far beyond the point where the
// quadrature error stops mattering, this bounds what a typing slip can ask for.
constexpr int kMaxIgSteps = 100'000;
// The app re-runs attribution on every change of its controls, so its spin box stops lower: one digit too
// many must not start a batch of gigabytes while the user is still typing. The CLI, where a run is asked
// for explicitly, allows kMaxIgSteps.
constexpr int kMaxInteractiveIgSteps = 4096;
bool validIgSteps(long steps);  // 1..kMaxIgSteps

// Integrated Gradients' convergence delta δ = Σ_t a_t − ΔF, with ΔF = F(x) − F(x′) the score change, is
// flagged when |δ| exceeds this share of |ΔF| (more steps or Gauss–Legendre usually bring it down).
constexpr double kIgDeltaWarningShare = 0.05;
// |δ / ΔF|: the delta as a share of the score change, for display (0 when ΔF is 0).
double convergenceShare(double delta, double scoreChange);
// |δ| > 5 % of |ΔF|. With ΔF = 0 any nonzero δ is flagged (the attributions should then sum to 0).
bool convergenceWarning(double delta, double scoreChange);

// LRP: what biases and ε absorbed on the way down, flagged when it exceeds this share of the score in
// magnitude: either relevance was lost to biases and ε, or small ε-rule denominators amplified it
// rather than shared it out.
constexpr double kLrpAbsorbedWarningShare = 0.5;
// absorbed / score, signed, for display (0 when the score is 0).
double absorbedShare(double absorbed, double score);
// |absorbed| > half of |score|.
bool conservationWarning(double absorbed, double score);

// The app's LRP default (docs/ATTRIBUTION.md, "Choosing LRP's ε and bias factor"). The CLI keeps the
// authors' ε = 0.001 and bias factor 0 (LrpOptions{}, its documented defaults). On trained models (the
// demo, the bracket fixture) those blow up: a cell whose two terms f·c_{t−1} and i·g nearly cancel has a
// tiny denominator c_t, the ε-rule's ratio f·c_{t−1}/c_t is then huge, and such ratios multiply along the
// chain through time, so late targets get relevance of ±1e13 × the score. A larger ε bounds the ratios,
// but with bias factor 0 every step keeps back ε's share, which compounds over the chain: at ε = 0.1 almost
// nothing reaches the input. ε = 0.3 with bias factor 1 bounds the ratios and hands ε's and the biases'
// shares down instead of keeping them: the relevance is conserved, almost all of it reaches the input, the
// largest token gets a fraction of the score, and it agrees with Integrated Gradients better than ε = 0.1
// (ε = 1 agrees about as well but spreads ε's share so evenly that the largest token gets 2 % of the score).
constexpr double kAppLrpEpsilon = 0.3;
constexpr double kAppLrpBiasFactor = 1.0;

// What to change when an LRP result is flagged, from its conservation report. Each is advised only where
// the study of the trade-off showed it reduces the problem.
enum class LrpAdvice {
  None,                  // conserved, not amplified
  LargerEpsilon,         // amplified by small denominators: a larger ε bounds them
  BiasFactorTowardsOne,  // lost to biases and ε (a larger ε would absorb more): hand their shares down
  SmallerEpsilon,        // lost although the bias factor is already 1 or more: ε itself keeps it back
  CompareWithGradients,  // amplified although ε is already large: opposing relevance that ε cannot tame
};
// ε at or above which amplification is not blamed on small denominators any more.
constexpr double kLrpLargeEpsilon = 1.0;
// The numbers of a conservation report: the score, what reached the input and what reached the initial
// state (absorbed = score − both).
struct LrpConservation {
  double score = 0, inputRelevance = 0, initialStateRelevance = 0;
  double absorbed() const { return score - inputRelevance - initialStateRelevance; }
};
// Relevance grew on the way down: what arrived at the input and the initial state together, in magnitude,
// exceeds |score| by more than kLrpAbsorbedWarningShare of it. This also catches a conserved (bias factor
// 1) result whose input and initial-state relevance are huge and opposite.
bool relevanceAmplified(const LrpConservation& c);
// None unless conservationWarning() or relevanceAmplified(); then amplified: LargerEpsilon below
// kLrpLargeEpsilon, else CompareWithGradients; lost: BiasFactorTowardsOne below bias factor 1, else
// SmallerEpsilon.
LrpAdvice lrpAdvice(const LrpConservation& c, double epsilon, double biasFactor);

// Tokens of context a figure of one target shows around the target step: many before it (what a forward
// model can have read), a few after.
constexpr long kFigureContextBefore = 160, kFigureContextAfter = 20;

}  // namespace lstmscope
