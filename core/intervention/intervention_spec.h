// Interventions as users write them (docs/INTERVENTIONS.md "Writing an intervention"):
// L/DIR/Q:U[,U...][@A:B]=V, e.g. 1/fwd/c:17@40:60=zero, 0/bwd/f:3,8=1, 0/fwd/h:5=add:-0.5, 1/fwd/c:2=mean.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/intervention_plan.h"
#include "core/engine/record.h"

namespace lstmscope {

enum class InterventionValue { Number, Zero, Mean, Add };

struct InterventionSpec {
  int layer = 0;
  std::string direction = "fwd";
  Quantity quantity = Quantity::C;  // I F G O C or H
  std::vector<int> units;
  std::optional<long> firstStep, endStep;  // absent: from the first step, to the last
  InterventionValue value = InterventionValue::Zero;
  double number = 0;  // Number: the value; Add: the shift

  // The canonical text, which parseInterventionSpec reads back to the same spec.
  std::string text() const;
};

// Throws InputError quoting `text` and saying what is wrong with it.
InterventionSpec parseInterventionSpec(const std::string& text);

// The unit's mean over the unintervened run, for `mean`.
using UnitMean = std::function<double(int layer, int direction, Quantity quantity, int unit)>;

// One UnitIntervention per unit of `spec`, in batch column `column` (-1: all), for an input of `steps`
// steps. Throws InputError naming the spec when its layer, direction, unit or steps are not in the model
// or the input.
std::vector<UnitIntervention> resolveIntervention(const InterventionSpec& spec, const Architecture& arch, long steps,
                                                  const UnitMean& mean, int column = -1);

// Every spec's unit interventions, in the specs' order (resolveIntervention for each, all columns).
std::vector<UnitIntervention> resolveInterventions(const std::vector<InterventionSpec>& specs, const Architecture& arch,
                                                   long steps, const UnitMean& mean);
// parseInterventionSpec for each text.
std::vector<InterventionSpec> parseInterventionSpecs(const std::vector<std::string>& texts);

// The direction index of `name` ("fwd" or "bwd") in layer `layer`; InputError when there is none.
int directionIndex(const Architecture& arch, int layer, const std::string& name);

EditSlot editSlotOf(Quantity q);  // I..H; InputError for a pre-activation

// InputError unless layer `layer`, direction `direction` and quantity `q` (a gate, c or h) exist in `arch`.
void checkIntervenable(const Architecture& arch, int layer, int direction, Quantity q);

}  // namespace lstmscope
