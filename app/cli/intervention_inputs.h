// What the intervention commands share once their options are parsed: the model, the input, the target
// and the interventions resolved against them (docs/CLI.md "Interventions").
#pragma once

#include <string>
#include <vector>

#include "app/cli/intervention_options.h"
#include "core/formats/sequence_input.h"
#include "core/intervention/intervention_target.h"

namespace lstmscope::cli {

Model loadModel(const ModelOption& option);

template <class T>
Inputs<T> inputsAs(const Inputs<float>& in) {
  return {in.steps, in.batch, in.tokens, in.features.template cast<T>()};
}

// The target the options name, with the defaults of docs/CLI.md: the last step; a language model's next
// token there when there is one, else the most probable output of the unintervened run; the
// log-probability unless the head is linear.
InterventionTarget resolveTarget(const Network<double>& net, const Inputs<double>& in, const TargetOption& option);

// Every spec's unit interventions over `steps` steps (default: the input's; generation passes the prompt's
// and the generated tokens'); `mean` is the unit's mean over the unintervened run of `in`.
std::vector<UnitIntervention> resolveSpecs(const Network<double>& net, const Inputs<double>& in,
                                           const std::vector<InterventionSpec>& specs, long steps = -1);

// "1/fwd/c" of a QuantityOption, checked against the model: its direction index.
int modelDirection(const Architecture& arch, const QuantityOption& what);

}  // namespace lstmscope::cli
