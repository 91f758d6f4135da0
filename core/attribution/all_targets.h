// The all-targets matrix (ATTRIBUTION.md): for every output step t with its target, the attribution of
// every input position to it: a T x T matrix, lower-triangular for a model that only reads the past.
// One backward pass serves many targets: their adjoints travel together as the columns of one matrix,
// so each step costs matrix-matrix products instead of one backward pass per target.
#pragma once

#include <vector>

#include "core/attribution/gradient_attribution.h"
#include "core/common/progress.h"

namespace lstmscope {

enum class MatrixMethod { GradientTimesInput, Saliency };

struct TargetMatrix {
  std::vector<AttributionTarget> targets;  // row r's target
  Mat<double> values;                      // (targets, T): row r holds every input position's attribution
};

// The default target (docs/CLI.md, attribute) of every output step, from one forward pass. Needs a head that
// predicts at every step.
std::vector<AttributionTarget> defaultTargetsOfEveryStep(const Network<double>& net, const Inputs<double>& tokens);

// Runs on a network from onInputVectors() with input vectors x (E, T). Every target must be a logit of
// an every-step head. Equal, row by row, to gradientTimesInput() / saliency() of each target. Progress
// counts (chunk of targets, layer) pairs; throws Cancelled when callbacks.cancelled() turns true.
// `chunkTargets` targets share one pass (0: as many as ~128 MB of adjoints per layer allow).
TargetMatrix allTargetsMatrix(const Network<double>& net, const Mat<double>& x,
                              const std::vector<AttributionTarget>& targets, MatrixMethod method,
                              const ProgressCallbacks& callbacks = {}, long chunkTargets = 0);

}  // namespace lstmscope
