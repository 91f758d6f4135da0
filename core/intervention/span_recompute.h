// Recomputing one layer direction's steps for a group of intervened runs (docs/INTERVENTIONS.md "How runs
// are batched"): the values a group holds and the step loop that fills them. Used by batched_runs.cpp only.
#pragma once

#include <vector>

#include "core/engine/intervention_plan.h"
#include "core/engine/tape.h"
#include "core/intervention/intervention_target.h"

// Its own namespace: these names (StepSpan, LayerValues, ...) mean something only inside the batching.
namespace lstmscope::batched {

// Steps [lo, hi] (inclusive) where values may differ from the unintervened run; empty when lo > hi.
struct StepSpan {
  long lo = 0, hi = -1;
  bool empty() const { return lo > hi; }
  long size() const { return empty() ? 0 : hi - lo + 1; }
  bool has(long t) const { return t >= lo && t <= hi; }
};

// One direction's values over the steps it recomputed: column (t - span.lo) * B + b.
template <class T>
struct DirectionValues {
  StepSpan span;
  Mat<T> c, h;                // (H, span * B)
  std::vector<T> targetGate;  // a gate target's B values, when this direction computed them
  Mat<T> z;                   // working memory: a chunk of steps' gate pre-activations
};

// A layer's output (both directions' h) over the steps where it may differ.
template <class T>
struct LayerValues {
  StepSpan span;
  Mat<T> h;  // (width, span * B)
};

// The matrices of one group's computation, kept from group to group: groups have the same shape, so after
// the first one nothing is allocated (a fresh 40 MB matrix costs its page faults again).
template <class T>
struct GroupWorkspace {
  std::vector<std::vector<DirectionValues<T>>> directions;  // per layer, per direction
  std::vector<LayerValues<T>> outputs;                      // per layer
};

// Sets every column of `dst` to `column`. Eigen's replicate() computes an index modulo per element, which
// took a tenth of a sweep's time when the layer's input did not change.
template <class Dst, class Column>
void fillColumns(Dst&& dst, const Column& column) {
  for (long j = 0; j < dst.cols(); ++j) dst.col(j) = column;
}

// Recomputes direction d of layer l over `out.span` for B columns, from the reference state next to the
// span, with `below` the layer's input where it differs and the plan's edits applied.
template <class T>
void runSpan(const Network<T>& net, const Inputs<T>& in, const Tape<T>& ref, int l, int d, int B,
             const LayerValues<T>& below, const InterventionPlan& plan, const InterventionTarget& target,
             DirectionValues<T>& out);

// The layer's output over the union of its directions' recomputed spans, into `out`.
template <class T>
void layerOutput(const LayerSpec& spec, std::vector<DirectionValues<T>>& dirs, const Mat<T>& refOutput, int B,
                 LayerValues<T>& out);

}  // namespace lstmscope::batched
