// Many intervened runs of one input, scored as one computation (docs/INTERVENTIONS.md "How runs are
// batched"). Each run's interventions sit in their own batch column; a run resumes from the first step
// and layer any run of its group changes, reusing the unintervened run's states before them, and stops at
// the target when nothing later can change it.
#pragma once

#include <vector>

#include "core/common/progress.h"
#include "core/engine/intervention_plan.h"
#include "core/intervention/intervention_target.h"

namespace lstmscope {

// The unintervened run of `in` (batch 1) that the intervened runs resume from: every layer's states and
// inputs, no head.
template <class T>
Tape<T> referenceRun(const Network<T>& net, const Inputs<T>& in);

struct ScoredRuns {
  std::vector<double> scores;    // the target under each run's interventions
  std::vector<double> controls;  // the same computation without interventions, in that run's group: a run
                                 // that changes nothing scores exactly its control
};

// Scores each of `runs` (their interventions' columns are ignored). `reference` is referenceRun(net, in).
// Progress counts runs; Cancelled between groups of runs.
template <class T>
ScoredRuns scoreRuns(const Network<T>& net, const Inputs<T>& in, const Tape<T>& reference,
                     const std::vector<std::vector<UnitIntervention>>& runs, const InterventionTarget& target,
                     const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
