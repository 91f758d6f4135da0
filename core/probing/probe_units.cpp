#include "core/probing/probe_units.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace lstmscope {

std::vector<FeatureUnit> probeFeatureUnits(int layer, const std::vector<int>& directionsPerLayer,
                                           const std::vector<int>& unitsPerLayer) {
  std::vector<FeatureUnit> out;
  for (int l = 0; l < static_cast<int>(directionsPerLayer.size()); ++l) {
    if (layer >= 0 && l != layer) continue;
    for (int d = 0; d < directionsPerLayer[static_cast<size_t>(l)]; ++d)
      for (int u = 0; u < unitsPerLayer[static_cast<size_t>(l)]; ++u) out.push_back({l, d, u});
  }
  return out;
}

std::vector<InterventionSpec> meanAblationSpecs(const std::vector<long>& features,
                                                const std::vector<FeatureUnit>& units, Quantity quantity,
                                                const std::vector<std::vector<std::string>>& directionNames) {
  std::map<std::pair<int, int>, std::vector<int>> byLayer;  // (layer, direction) -> units, in order
  for (const long f : features) {
    if (f < 0 || f >= static_cast<long>(units.size())) throw std::out_of_range("a probe feature beyond its units");
    const FeatureUnit& u = units[static_cast<size_t>(f)];
    byLayer[{u.layer, u.direction}].push_back(u.unit);
  }
  std::vector<InterventionSpec> specs;
  for (auto& [where, list] : byLayer) {
    std::sort(list.begin(), list.end());
    InterventionSpec spec;
    spec.layer = where.first;
    spec.direction = directionNames[static_cast<size_t>(where.first)][static_cast<size_t>(where.second)];
    spec.quantity = quantity, spec.units = list, spec.value = InterventionValue::Mean;
    specs.push_back(spec);
  }
  return specs;
}

std::vector<InterventionSpec> steeringSpecs(const std::vector<long>& features, const Vec<double>& weights, double shift,
                                            const std::vector<FeatureUnit>& units, Quantity quantity,
                                            const std::vector<std::vector<std::string>>& directionNames) {
  if (static_cast<long>(features.size()) != weights.size())
    throw std::invalid_argument("a steering direction needs one weight per feature");
  const double squaredNorm = weights.squaredNorm();
  if (!std::isfinite(shift) || !(squaredNorm > 0) || !std::isfinite(squaredNorm)) return {};
  std::map<std::tuple<int, int, int>, double> byUnit;  // (layer, direction, unit) -> shift, in order
  for (size_t k = 0; k < features.size(); ++k) {
    const long f = features[k];
    if (f < 0 || f >= static_cast<long>(units.size())) throw std::out_of_range("a probe feature beyond its units");
    const FeatureUnit& u = units[static_cast<size_t>(f)];
    byUnit[{u.layer, u.direction, u.unit}] = shift * weights(static_cast<long>(k)) / squaredNorm;
  }
  std::vector<InterventionSpec> specs;
  for (const auto& [where, add] : byUnit) {
    if (add == 0) continue;  // a unit the refit gave no weight
    InterventionSpec spec;
    spec.layer = std::get<0>(where);
    spec.direction = directionNames[static_cast<size_t>(spec.layer)][static_cast<size_t>(std::get<1>(where))];
    spec.quantity = quantity, spec.units = {std::get<2>(where)};
    spec.value = InterventionValue::Add, spec.number = add;
    specs.push_back(spec);
  }
  return specs;
}

std::vector<InterventionSpec> wholeProbeSteeringSpecs(const Vec<double>& weights, double shift,
                                                      const std::vector<FeatureUnit>& units, Quantity quantity,
                                                      const std::vector<std::vector<std::string>>& directionNames) {
  std::vector<long> every(static_cast<size_t>(weights.size()));
  std::iota(every.begin(), every.end(), 0L);
  return steeringSpecs(every, weights, shift, units, quantity, directionNames);
}

}  // namespace lstmscope
