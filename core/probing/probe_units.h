// From a probe's features back to the model's units, and from there to interventions (docs/PROBES.md
// "From a probe to an intervention"): the units the L1 path keeps can be set to their mean, to ask whether
// the model uses what the probe reads.
#pragma once

#include <string>
#include <vector>

#include "core/intervention/intervention_spec.h"

namespace lstmscope {

struct FeatureUnit {
  int layer = 0, direction = 0, unit = 0;
};

// The unit of each feature of a probe of `layer` (-1: every layer): layer by layer, each layer's directions
// in order, each direction's units in order (as probeFeatures lays them out).
std::vector<FeatureUnit> probeFeatureUnits(int layer, const std::vector<int>& directionsPerLayer,
                                           const std::vector<int>& unitsPerLayer);

// Interventions that set the given features' units of `quantity` to their mean over the input, one spec per
// layer and direction (units in increasing order). `directionNames[layer][direction]`: "fwd", "bwd".
std::vector<InterventionSpec> meanAblationSpecs(const std::vector<long>& features,
                                                const std::vector<FeatureUnit>& units, Quantity quantity,
                                                const std::vector<std::vector<std::string>>& directionNames);

}  // namespace lstmscope
