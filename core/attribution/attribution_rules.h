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
// magnitude. Beyond it, small ε-rule denominators have amplified relevance rather than shared it out
// (a larger ε helps).
constexpr double kLrpAbsorbedWarningShare = 0.5;
// absorbed / score, signed, for display (0 when the score is 0).
double absorbedShare(double absorbed, double score);
// |absorbed| > half of |score|.
bool conservationWarning(double absorbed, double score);

// Tokens of context a figure of one target shows around the target step: many before it (what a forward
// model can have read), a few after.
constexpr long kFigureContextBefore = 160, kFigureContextAfter = 20;

}  // namespace lstmscope
