// Ablation sweeps (docs/INTERVENTIONS.md "Ablation"): the effect on a target of setting each unit of one
// layer, direction and quantity to zero or to its mean, in turn, over a step range; and the unit x step
// map of ablating one unit at one step.
#pragma once

#include <vector>

#include "core/intervention/batched_runs.h"
#include "core/intervention/intervention_spec.h"

namespace lstmscope {

struct AblationRequest {
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::C;   // i f g o c or h
  long firstStep = 0, endStep = -1;  // steps [firstStep, endStep); -1: to the last step
  bool toMean = false;               // the unit's mean over the unintervened run, else zero
};

struct AblationEffects {
  double score = 0;             // the target without ablation
  std::vector<double> values;   // per unit: the value it was set to
  std::vector<double> effects;  // per unit: score after ablation minus score (sweep)
  Mat<double> map;              // (units, steps of the range): ablating unit u at one step only (map)
  long firstStep = 0;           // the map's first column's step
};

// Every unit of the request's layer, direction and quantity ablated in turn over the whole step range.
template <class T>
AblationEffects ablationSweep(const Network<T>& net, const Inputs<T>& in, const InterventionTarget& target,
                              const AblationRequest& request, const ProgressCallbacks& callbacks = {});

// Every unit ablated at every step of the range, one (unit, step) per run.
template <class T>
AblationEffects ablationMap(const Network<T>& net, const Inputs<T>& in, const InterventionTarget& target,
                            const AblationRequest& request, const ProgressCallbacks& callbacks = {});

// The unit's mean over a run's steps (the `mean` value of an intervention).
template <class T>
double unitMean(const Network<T>& net, const Tape<T>& tape, int layer, int direction, Quantity quantity, int unit);

// `mean` for resolveIntervention: the unit's mean over the plain run of `in`, run once on first use (so a
// plan without `mean` costs no run). `net` and `in` must outlive the returned function.
UnitMean meanOverPlainRun(const Network<double>& net, const Inputs<double>& in);

}  // namespace lstmscope
