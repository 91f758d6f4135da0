#include "core/model/front_end_patch.h"

#include <algorithm>

#include "core/model/step_activations.h"
#include "core/model/step_layers_backward.h"
#include "core/model/window_layers.h"

namespace lstmscope {

namespace {

// `clean` with the change's steps overwritten, as a slab of the steps `span` (inclusive).
Eigen::MatrixXd changedSlab(const Eigen::MatrixXd& clean, const ColumnPatch& change, RowSpan span) {
  Eigen::MatrixXd slab = clean.middleCols(span.first, span.last - span.first + 1);
  const long from = std::max(change.first, span.first), to = std::min(change.end() - 1, span.last);
  for (long t = from; t <= to; ++t) slab.col(t - span.first) = change.columns.col(t - change.first);
  return slab;
}

ColumnPatch patchWindowLayer(const StepLayer& s, const Eigen::MatrixXd& clean, const ColumnPatch& change) {
  const long steps = clean.cols();
  const RowSpan out = outputStepsReading(s, steps, {change.first, change.end() - 1});
  if (out.empty()) return {};
  const RowSpan read = inputStepsReadBy(s, steps, out);
  Eigen::MatrixXd y = applyWindowLayerToSteps(s, changedSlab(clean, change, read), read.first, steps, out);
  if (s.kind == StepLayer::Kind::Conv) activateInPlace(s.activation, s.generation, y);
  return {out.first, std::move(y)};
}

// An encoder run again on the whole changed input: its steps from the change's first on differ (or its one
// final state).
ColumnPatch patchRecurrentLayer(const StepLayer& s, const Eigen::MatrixXd& clean, const ColumnPatch& change) {
  const Eigen::MatrixXd y = applyStepLayer(s, changedSlab(clean, change, {0, clean.cols() - 1}));
  if (!s.returnSequences) return {0, y};
  return {change.first, y.rightCols(y.cols() - change.first)};
}

ColumnPatch patchLayer(const StepLayer& s, const Eigen::MatrixXd& clean, const ColumnPatch& change) {
  if (change.empty()) return {};
  if (s.mixesSteps()) return patchWindowLayer(s, clean, change);
  if (s.kind == StepLayer::Kind::Recurrent) return patchRecurrentLayer(s, clean, change);
  if (s.kind == StepLayer::Kind::Repeat)  // its one input step is the only one there is
    return {0, applyStepLayer(s, change.columns.leftCols(1))};
  return {change.first, applyStepLayer(s, change.columns)};  // a layer on each step alone
}

}  // namespace

FrontEndPatcher::FrontEndPatcher(std::vector<StepLayer> chain, const Eigen::MatrixXd& input)
    : chain_(std::move(chain)), inputs_(stepLayerInputs(chain_, input)) {}

ColumnPatch FrontEndPatcher::patched(ColumnPatch change) const {
  // Clipped to the input: a window at the end may reach past it.
  const long first = std::max(change.first, 0L), end = std::min(change.end(), inputs_.front().cols());
  if (end <= first) return {};
  change.columns = change.columns.middleCols(first - change.first, end - first).eval();
  change.first = first;
  for (size_t l = 0; l < chain_.size() && !change.empty(); ++l) change = patchLayer(chain_[l], inputs_[l], change);
  return change;
}

}  // namespace lstmscope
