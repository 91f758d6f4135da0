// The interventions of one forward pass (docs/INTERVENTIONS.md): which unit of which layer, direction and
// quantity is set or shifted over which steps, in which batch column. The forward pass asks the plan for
// the edits active at each step.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "core/engine/unit_edit.h"
#include "core/model/model.h"

namespace lstmscope {

struct UnitIntervention {
  int layer = 0, direction = 0;
  EditSlot slot = EditSlot::C;
  int unit = 0;
  long firstStep = 0, endStep = 0;  // steps [firstStep, endStep) of the input
  bool add = false;
  double value = 0;
  int column = -1;  // -1: every column of the batch
};

class InterventionPlan {
 public:
  InterventionPlan() = default;
  // Throws InputError naming the intervention when its layer, direction or unit is not in `arch`, or its
  // steps are empty or negative.
  InterventionPlan(std::vector<UnitIntervention> interventions, const Architecture& arch);

  bool empty() const { return all_.empty(); }
  const std::vector<UnitIntervention>& interventions() const { return all_; }
  // The edits active at `step` of layer `layer`, direction `direction` (replaces `out`'s contents).
  void editsAt(int layer, int direction, long step, std::vector<UnitEdit>& out) const;
  // The first and last step (inclusive) any intervention of this layer and direction touches, clipped to
  // [0, steps); nothing when none does.
  std::optional<std::pair<long, long>> stepRange(int layer, int direction, long steps) const;
  // The lowest layer with an intervention (the layers below it are not changed); -1 when empty.
  int firstLayer() const;

 private:
  std::vector<UnitIntervention> all_;
  PerDirection<std::vector<int>> byDirection_;  // indices into all_, per layer and direction
};

}  // namespace lstmscope
