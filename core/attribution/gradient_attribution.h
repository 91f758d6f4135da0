// Per-token attribution of one score (a head logit at one output step) by gradient methods
// (docs/ATTRIBUTION.md): saliency, gradient x input and Integrated Gradients (occlusion: occlusion.h).
// Computed in float64 on the layer-0 input vectors (embeddings, or one-hot vectors).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/attribution/quadrature.h"
#include "core/common/progress.h"
#include "core/engine/tape.h"

namespace lstmscope {

// The score. A logit: head output `output` (before its activation) at output step `step` (`step` is
// ignored by a head that reads the final states). Or a state unit ("what drives this cell?"): hidden
// or cell unit `unit` of layer `layer`, direction `direction`, at step `step`.
enum class TargetKind { Logit, Hidden, Cell };
struct AttributionTarget {
  long step = 0;
  int output = 0;
  TargetKind kind = TargetKind::Logit;
  int layer = 0, direction = 0, unit = 0;
};
AttributionTarget stateTarget(TargetKind kind, int layer, int direction, int unit, long step);
// Throws InputError naming what is wrong when `target` does not exist in `net` for a text of `steps`.
void validateTarget(const Network<double>& net, long steps, const AttributionTarget& target);
// The target's value in batch element b of a forward pass over a batch of `batch`.
double targetValue(const Network<double>& net, const Tape<double>& tape, const AttributionTarget& target, int batch = 1,
                   int b = 0);
// "logit 12 at step 40", "cell 1/fwd/7 at step 40" (for titles and messages).
std::string describeTarget(const Architecture& arch, const AttributionTarget& target);

// docs/ATTRIBUTION.md: the last step by default; for a language model the actual next token when there is
// one, else the most probable; for a classifier (and any other head) the most probable output.
// The most probable output costs a forward pass (over the steps up to the target for a model that reads
// only the past, else the whole input): callers on a GUI thread ask defaultTargetIsNextToken() first and
// resolve the other targets in the background.
bool defaultTargetIsNextToken(const Network<double>& net, const Inputs<double>& tokens, long step);
AttributionTarget defaultTarget(const Network<double>& net, const Inputs<double>& tokens,
                                std::optional<long> step = {});

// A network that reads its layer-0 input vectors directly (the embedding or one-hot lookup removed),
// and those vectors for `tokens` (E, T): what the gradient methods differentiate and interpolate.
Network<double> onInputVectors(const Network<double>& net);
Mat<double> inputVectors(const Network<double>& net, const Inputs<double>& tokens);
// The baseline input vectors: zero, or `token`'s vector at every position.
Mat<double> baselineVectors(const Network<double>& net, long steps, std::optional<int> token);

struct TokenAttribution {
  Vec<double> perToken;                    // (T)
  Mat<double> perDimension;                // (E, T); empty for saliency
  double score = 0;                        // F(x)
  std::optional<double> baselineScore;     // F(x') where a baseline is used
  std::optional<double> convergenceDelta;  // IG: sum(perToken) - (score - baselineScore)
};

// Runs on a network from onInputVectors() with input vectors x (E, T) (batch 1).
double targetScore(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target);
Mat<double> scoreGradient(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target);
TokenAttribution saliency(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target);
TokenAttribution gradientTimesInput(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target);
// Integrated Gradients. The quadrature points run in batches (each one forward and one backward pass),
// as many per batch as fit in `memoryBytes` and at most a quarter of them, so that progress (counting
// points) moves and cancellation (checked between batches) takes effect within one batch. Float32 runs
// the path in single precision (about twice as fast; the scores and the delta stay float64, so the delta
// includes the rounding error).
enum class Precision { Float64, Float32 };
// 256 MB: on the demo (2x256, step 2,000) batches of 5 points run as fast as batches of 16, and the bar
// moves four times as often (bench/attribution_bench --demo).
constexpr long kIgMemoryBytes = 1L << 28;
constexpr int kIgMinBatches = 4;
TokenAttribution integratedGradients(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                                     const AttributionTarget& target, QuadratureRule rule, int steps,
                                     Precision precision = Precision::Float64, const ProgressCallbacks& callbacks = {},
                                     long memoryBytes = kIgMemoryBytes);
// How many of IG's `points` quadrature points one batch runs for input vectors x.
int igPointsPerBatch(const Network<double>& net, const Mat<double>& x, int points, Precision precision,
                     long memoryBytes = kIgMemoryBytes);
// Roughly the bytes one (step, sequence) column of a forward pass and the backward pass through it hold
// at once (tape, adjoints, inputs and logits) in scalars of `scalarBytes`: what batched runs size by.
long tapeBytesPerColumn(const Network<double>& net, long inputRows, long scalarBytes = sizeof(double));

// Attribution to hidden units (ATTRIBUTION.md): gradient x activation, (dF/dh_t) * h_t and
// (dF/dc_t) * c_t with total derivatives, for every unit of every layer and direction:
// h[layer][direction] and c[layer][direction], each (H, T).
struct UnitAttribution {
  PerDirection<Mat<double>> h, c;
};
UnitAttribution unitAttribution(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target);

}  // namespace lstmscope
