// A front end (step_layers.h) run once on its clean input and then asked what its output becomes when a few
// input steps change, recomputing layer by layer only the steps the change reaches. Occlusion through a front
// end (docs/ATTRIBUTION.md "Through the front end") replaces every window of a long table in turn; this
// makes each window cost its neighbourhood rather than the whole table. An encoder layer (Recurrent) is run
// again over its whole changed input, from its zero state: every step from the change on differs.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/model/step_layers.h"

namespace lstmscope {

// Steps [first, first + columns.cols()) of a sequence with new values; no columns: nothing changes.
struct ColumnPatch {
  long first = 0;
  Eigen::MatrixXd columns;
  bool empty() const { return columns.cols() == 0; }
  long end() const { return first + columns.cols(); }
};

class FrontEndPatcher {
 public:
  // Runs `chain` on `input` (features × steps), keeping every layer's input.
  FrontEndPatcher(std::vector<StepLayer> chain, const Eigen::MatrixXd& input);

  // The chain's output on the clean input.
  const Eigen::MatrixXd& output() const { return inputs_.back(); }

  // The output steps that change when the input's steps `change` describes take its values, and their new
  // values, equal to applyStepLayers on the changed input; empty when no output step reads them. The patches
  // of changes moving later never start earlier.
  ColumnPatch patched(ColumnPatch change) const;

 private:
  std::vector<StepLayer> chain_;
  std::vector<Eigen::MatrixXd> inputs_;  // stepLayerInputs: each layer's input, then the output
};

}  // namespace lstmscope
