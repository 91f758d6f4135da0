// Window layers of a features model's front end: a 1-D convolution and max or average pooling over time, as
// Keras' Conv1D, MaxPooling1D and AveragePooling1D compute them (TensorFlow's padding rules). They change the
// time axis: the LSTM's step t is computed from a span of the table's rows, which labels it
// (docs/IMPORT.md#front-ends-over-time). All in float64.
#pragma once

#include <Eigen/Core>
#include <utility>
#include <vector>

#include "core/model/step_layers.h"

namespace lstmscope {

// The first and last row (0-based) an output step is computed from, padding aside; also any inclusive span of
// steps. A step that reads padding only (a dilated convolution's first steps with 'same' padding) reads no
// row: kNoRows.
struct RowSpan {
  long first = 0, last = 0;
  bool empty() const { return last < first; }
  bool operator==(const RowSpan&) const = default;
};
inline constexpr RowSpan kNoRows{0, -1};

// Steps padded before the first for an input of `steps` steps.
long paddingBefore(const StepLayer& layer, long steps);
// Steps the layer gives for `steps` input steps: 0 when no window fits.
long windowOutputSteps(const StepLayer& layer, long steps);
// A convolution before its activation, or a pooling, over x (features × steps).
Eigen::MatrixXd applyWindowLayer(const StepLayer& layer, const Eigen::MatrixXd& x);

// Which steps of a sequence of `steps` steps a window layer's output steps read and are read by, for
// recomputing only what a change to a few input steps reaches (front_end_patch.h). Spans are inclusive and
// clamped to the sequence; kNoRows when none.
//
// The output steps that read any of the input steps `input`.
RowSpan outputStepsReading(const StepLayer& layer, long steps, RowSpan input);
// The input steps the output steps `output` read, padding aside.
RowSpan inputStepsReadBy(const StepLayer& layer, long steps, RowSpan output);
// Output steps `output` of applyWindowLayer over a sequence of `steps` steps, read from `slab`, whose column i
// is input step slabFirst + i and which holds inputStepsReadBy(layer, steps, output).
Eigen::MatrixXd applyWindowLayerToSteps(const StepLayer& layer, const Eigen::MatrixXd& slab, long slabFirst, long steps,
                                        RowSpan output);

// The backward pass of applyWindowLayer: d score / d x from d score / d output (a convolution's before its
// activation). A max pooling passes each gradient to the first step holding the window's maximum.
Eigen::MatrixXd windowLayerBackward(const StepLayer& layer, const Eigen::MatrixXd& x,
                                    const Eigen::MatrixXd& gradOutput);

// Whether the chain holds a layer that changes the steps (a window layer, an encoder, a repeat), so that its
// steps are not the rows.
bool readsWindows(const std::vector<StepLayer>& chain);
// Steps a front end gives for `rows` rows (per-step layers keep the count).
long chainOutputSteps(const std::vector<StepLayer>& chain, long rows);
// The fewest rows for which the chain gives a step (1 without window layers).
long fewestRows(const std::vector<StepLayer>& chain);
// The first and last row counts for which the chain gives exactly `steps` steps; kNoRows-like {0, -1} when none.
std::pair<long, long> rowsGivingSteps(const std::vector<StepLayer>& chain, long steps);

std::vector<RowSpan> rowsReadByStep(const std::vector<StepLayer>& chain, long rows);
// The last row step `step` reads, where attribution to the rows marks its target: `step` itself when `spans`
// is empty (step t is row t), -1 for a step that reads padding only or is out of range.
long lastRowReadBy(const std::vector<RowSpan>& spans, long step);

}  // namespace lstmscope
