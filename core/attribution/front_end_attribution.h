// Attribution to a features model's raw input — its table's rows, or its text's tokens when the front end
// starts with an embedding lookup — carried back through the front end (Architecture::frontEnd) rather than
// stopping at the first LSTM's input features (docs/ATTRIBUTION.md "Through the front end"). Saliency,
// gradient × input and Integrated Gradients chain the engine's gradient with the front end's backward pass
// (step_layers_backward.h); occlusion replaces raw rows and runs the front end again. LRP stops at the LSTM's
// input features, and says so. All in float64.
#pragma once

#include <optional>

#include "core/attribution/attribution_report.h"

namespace lstmscope {

// Whether `method` reaches the raw input of `arch` through its front end: every method but LRP, for a model
// with a front end.
bool attributesThroughFrontEnd(const Architecture& arch, AttributionMethod method);

// What an attribution's values are on, for labels and column names: the LSTM's steps, or (`onRawInput`,
// through the front end) the table's rows, or the text's tokens for a front end that reads text.
enum class AttributedPositions { Steps, Rows, Tokens };
AttributedPositions attributedPositions(const Architecture& arch, bool onRawInput);

// What the methods differentiate and interpolate: the table's features as they are, or for a front end that
// starts with a lookup, each id's embedding vector (E × tokens). `raw` is what the front end reads: the
// table (rawFeatureDim × rows) or one id per column.
Mat<double> frontEndInputVectors(const Architecture& arch, const Mat<double>& raw);
// The baseline in the same space: zeros, or `token`'s embedding vector at every position (a front end that
// reads text only).
Mat<double> frontEndBaseline(const Architecture& arch, long rows, std::optional<int> token);

// `method` (not LRP) for the score `target` of `net` (a network on its input vectors, onInputVectors) at the
// raw input `raw`, with `settings`' baseline, quadrature and window: one value per row or token
// (perToken), per feature or embedding dimension where the method has them. IG runs one forward and backward
// pass per quadrature point, occlusion one forward pass per window, each through the front end; progress
// counts them and cancellation is checked between them.
TokenAttribution attributeThroughFrontEnd(AttributionMethod method, const Network<double>& net, const Mat<double>& raw,
                                          const AttributionTarget& target, const AttributionSettings& settings,
                                          const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
