// Occlusion (docs/ATTRIBUTION.md): how much the score drops when a window of tokens is replaced by the
// baseline, computed in bounded memory for any target step of a long text.
#pragma once

#include <functional>

#include "core/attribution/gradient_attribution.h"
#include "core/common/progress.h"
#include "core/model/front_end_patch.h"

namespace lstmscope {

// What one batch of occluded runs may hold at once (their forward tapes): a few hundred MB at most, so a
// target late in a 100,000-step text costs time, never all the memory.
constexpr long kOcclusionMemoryBytes = 128L << 20;

// Each token's score drop when a window of `window` tokens starting at every position is replaced by the
// baseline, averaged over the windows that cover it (window 1: F(x) - F(x with x_t replaced)).
//
// Windows run in chunks, each chunk one batch. For a model that only reads the past, an occluded run
// starts from the clean run's state just before its chunk's first window and runs, in blocks of steps,
// only to the step the target reads; windows after that step change nothing (drop 0). Otherwise each
// chunk runs the whole text. Either way one chunk's tapes stay within about `memoryBytes` (a chunk holds
// at least one window, so a model that looks ahead needs one whole-text tape). Progress counts the windows
// run; cancellation is checked between chunks.
TokenAttribution occlusion(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                           const AttributionTarget& target, int window = 1, const ProgressCallbacks& callbacks = {},
                           long memoryBytes = kOcclusionMemoryBytes);

// The machinery under occlusion, for runs whose inputs are x with a few steps changed: the target's value
// for runs k = 0 … runs − 1, run k reading x with edit(k) applied. Edits should not start earlier as k grows
// (a later window changes no earlier step): then each batch of runs starts from the clean run's state, carried
// forward from batch to batch, as occlusion's windows do. An edit that starts earlier is still right, but its
// batch runs the clean prefix again from the first step. `cleanScore` (the target's value on x) is the value of a run
// whose edit is empty or changes only steps the target never reads. Occlusion through a front end
// (front_end_attribution.h) gives the front end's patched output as the edits.
Vec<double> scoresOfEditedRuns(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target,
                               double cleanScore, long runs, const std::function<ColumnPatch(long)>& edit,
                               const ProgressCallbacks& callbacks = {}, long memoryBytes = kOcclusionMemoryBytes);

// Each token's score drop averaged over the windows of `window` tokens that cover it: drops(p) is the drop of
// the window starting at token p. Windows past drops' end drop nothing.
Vec<double> averagedOverWindows(const Vec<double>& drops, long tokens, long window);

}  // namespace lstmscope
