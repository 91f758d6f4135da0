#include "app/cli/intervention_inputs.h"

#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/formats/model_loader.h"
#include "core/intervention/ablation.h"
#include "core/intervention/batched_runs.h"

namespace lstmscope::cli {

Model loadModel(const ModelOption& option) {
  return importForCommand(option.path, option.vocabPath, option.importChoices);
}

int modelDirection(const Architecture& arch, const QuantityOption& what) {
  return directionIndex(arch, what.layer, what.direction);
}

InterventionTarget resolveTarget(const Network<double>& net, const Inputs<double>& in, const TargetOption& option) {
  InterventionTarget target;
  target.step = option.step.value_or(in.steps - 1);
  if (target.step >= in.steps)
    throw InputError("--target-step " + std::to_string(target.step) + " is outside the input's " +
                     std::to_string(in.steps) + " steps");
  if (option.unit) {
    target.kind = ScoreKind::Unit;
    target.layer = option.unit->layer;
    target.direction = modelDirection(net.arch, *option.unit);
    target.quantity = option.unit->quantity;
    target.unit = option.unitIndex;
    validateTarget(net.arch, net.headOutputs(), in.steps, target);
    return target;
  }
  if (!net.arch.head) throw InputError("the model has no head: give --target-unit");
  if (option.output) {
    target.kind = net.arch.head->activation == HeadActivation::Linear ? ScoreKind::Logit : ScoreKind::LogProbability;
    target.output = *option.output;
  } else {
    target = defaultTarget(net, in, target.step);
  }
  if (option.logProbability) target.kind = *option.logProbability ? ScoreKind::LogProbability : ScoreKind::Logit;
  validateTarget(net.arch, net.headOutputs(), in.steps, target);
  return target;
}

std::vector<UnitIntervention> resolveSpecs(const Network<double>& net, const Inputs<double>& in,
                                           const std::vector<InterventionSpec>& specs, long steps) {
  return resolveInterventions(specs, net.arch, steps < 0 ? in.steps : steps, meanOverPlainRun(net, in));
}

}  // namespace lstmscope::cli
