// From a probe's features back to the model's units, and from there to interventions (docs/PROBES.md
// "From a probe to an intervention"): the units the L1 path keeps can be set to their mean, to ask whether
// the model uses what the probe reads, or shifted along the probe's direction, to ask what it does then.
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

// Interventions that steer along a probe: each of the given features' units of `quantity` gets
// add:(shift * w_j / |w|^2), so that the probe's score w.x moves by `shift` wherever the values are those
// it read (`weights`: one weight per feature of `features`, in their order). One spec per unit (their
// shifts differ), ordered by layer, direction and unit. None when the weights are all zero or the shift is
// not a finite number.
std::vector<InterventionSpec> steeringSpecs(const std::vector<long>& features, const Vec<double>& weights, double shift,
                                            const std::vector<FeatureUnit>& units, Quantity quantity,
                                            const std::vector<std::vector<std::string>>& directionNames);

// steeringSpecs over every feature of a probe: `weights` holds one weight per feature, `units` one unit each.
std::vector<InterventionSpec> wholeProbeSteeringSpecs(const Vec<double>& weights, double shift,
                                                      const std::vector<FeatureUnit>& units, Quantity quantity,
                                                      const std::vector<std::vector<std::string>>& directionNames);

}  // namespace lstmscope
