// Activation patching (docs/INTERVENTIONS.md "Patching"): a clean and a corrupted input of the same
// length; for each unit and step of one layer, direction and quantity, the share of the clean-corrupted
// difference in the target that copying that one value from the clean run into the corrupted run restores.
#pragma once

#include "core/intervention/batched_runs.h"

namespace lstmscope {

struct PatchRequest {
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::H;
  long firstStep = 0, endStep = -1;  // the steps patched, [firstStep, endStep); -1: to the last step
};

struct PatchMap {
  double cleanScore = 0, corruptScore = 0;
  Mat<double> restored;  // (steps patched, units): (patched - corrupt) / (clean - corrupt)
  long firstStep = 0;    // the step of row 0
};

// Throws InputError when the inputs differ in length or the two scores are equal (nothing to restore).
template <class T>
PatchMap patchMap(const Network<T>& net, const Inputs<T>& clean, const Inputs<T>& corrupt,
                  const InterventionTarget& target, const PatchRequest& request,
                  const ProgressCallbacks& callbacks = {});

// The target without intervention, computed the way scoreRuns computes its controls.
template <class T>
double unintervenedScore(const Network<T>& net, const Inputs<T>& in, const Tape<T>& reference,
                         const InterventionTarget& target);

}  // namespace lstmscope
