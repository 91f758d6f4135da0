#include "core/engine/intervention_plan.h"

#include <algorithm>
#include <string>

#include "core/common/error.h"

namespace lstmscope {

InterventionPlan::InterventionPlan(std::vector<UnitIntervention> interventions, const Architecture& arch)
    : all_(std::move(interventions)) {
  byDirection_.resize(arch.layers.size());
  for (size_t l = 0; l < arch.layers.size(); ++l) byDirection_[l].resize(arch.layers[l].directions());
  for (size_t k = 0; k < all_.size(); ++k) {
    const UnitIntervention& v = all_[k];
    const std::string which = "intervention " + std::to_string(k + 1) + ": ";
    if (v.layer < 0 || v.layer >= static_cast<int>(arch.layers.size()))
      throw InputError(which + "the model has no layer " + std::to_string(v.layer) + " (it has " +
                       std::to_string(arch.layers.size()) + ")");
    const LayerSpec& spec = arch.layers[static_cast<size_t>(v.layer)];
    if (v.direction < 0 || v.direction >= spec.directions())
      throw InputError(which + "layer " + std::to_string(v.layer) + " has no direction " + std::to_string(v.direction));
    if (v.unit < 0 || v.unit >= spec.hidden)
      throw InputError(which + "layer " + std::to_string(v.layer) + " has no unit " + std::to_string(v.unit) +
                       " (it has " + std::to_string(spec.hidden) + ")");
    if (v.firstStep < 0 || v.endStep <= v.firstStep)
      throw InputError(which + "its steps [" + std::to_string(v.firstStep) + ", " + std::to_string(v.endStep) +
                       ") are empty");
    byDirection_[static_cast<size_t>(v.layer)][static_cast<size_t>(v.direction)].push_back(static_cast<int>(k));
  }
}

void InterventionPlan::editsAt(int layer, int direction, long step, std::vector<UnitEdit>& out) const {
  out.clear();
  if (layer >= static_cast<int>(byDirection_.size())) return;
  for (int k : byDirection_[static_cast<size_t>(layer)][static_cast<size_t>(direction)]) {
    const UnitIntervention& v = all_[static_cast<size_t>(k)];
    if (step >= v.firstStep && step < v.endStep) out.push_back({v.slot, v.unit, v.column, v.add, v.value});
  }
}

std::optional<std::pair<long, long>> InterventionPlan::stepRange(int layer, int direction, long steps) const {
  std::optional<std::pair<long, long>> range;
  if (layer >= static_cast<int>(byDirection_.size())) return range;
  for (int k : byDirection_[static_cast<size_t>(layer)][static_cast<size_t>(direction)]) {
    const UnitIntervention& v = all_[static_cast<size_t>(k)];
    const long first = v.firstStep, last = std::min(v.endStep, steps) - 1;
    if (first > last) continue;
    range = range ? std::make_pair(std::min(range->first, first), std::max(range->second, last))
                  : std::make_pair(first, last);
  }
  return range;
}

int InterventionPlan::firstLayer() const {
  int first = -1;
  for (const UnitIntervention& v : all_) first = first < 0 ? v.layer : std::min(first, v.layer);
  return first;
}

}  // namespace lstmscope
