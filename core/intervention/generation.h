// Generation with interventions held (docs/INTERVENTIONS.md "Generation"): a language model continues a
// prompt token by token, greedily or by sampling at a temperature, with a plan's interventions applied at
// their steps (an intervention without an end applies to every generated step too).
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/intervention_plan.h"
#include "core/engine/tape.h"

namespace lstmscope {

struct GenerationRequest {
  int tokens = 100;        // tokens to generate
  double temperature = 0;  // 0: greedy (the most probable token; the lowest id on a tie)
  uint64_t seed = 1;       // sampling: the same seed draws the same random numbers with and without
                           // interventions, so the two generations differ only where the model does
};

struct Generation {
  std::vector<int32_t> tokens;      // the generated tokens (after the prompt)
  std::vector<double> probability;  // each generated token's probability when it was chosen
};

// Throws InputError unless the model predicts the next token and reads only the past. `plan` may be empty.
template <class T>
Generation generate(const Network<T>& net, const std::vector<int32_t>& prompt, const InterventionPlan& plan,
                    const GenerationRequest& request, const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
