#include "core/intervention/intervention_target.h"

#include <cmath>

#include "core/common/error.h"
#include "core/engine/forward.h"

namespace lstmscope {

void validateTarget(const Architecture& arch, int headOutputs, long steps, const InterventionTarget& target) {
  const bool finalStates = arch.head && arch.head->perSequence();
  if (!(target.kind != ScoreKind::Unit && finalStates) && (target.step < 0 || target.step >= steps))
    throw InputError("the target step " + std::to_string(target.step) + " is outside the input's " +
                     std::to_string(steps) + " steps");
  if (target.kind == ScoreKind::Unit) {
    if (target.layer < 0 || target.layer >= static_cast<int>(arch.layers.size()))
      throw InputError("the target unit's layer " + std::to_string(target.layer) + " is not in the model");
    const LayerSpec& spec = arch.layers[static_cast<size_t>(target.layer)];
    if (target.direction < 0 || target.direction >= spec.directions() || target.unit < 0 ||
        target.unit >= spec.hidden || isPreactivation(target.quantity))
      throw InputError("the target unit " + describeTarget(arch, target) + " is not in the model");
    return;
  }
  if (!arch.head || headOutputs <= 0) throw InputError("the model has no head: give a target unit");
  if (target.output < 0 || target.output >= headOutputs)
    throw InputError("the target output " + std::to_string(target.output) + " is outside the head's " +
                     std::to_string(headOutputs) + " outputs");
  if (target.kind == ScoreKind::LogProbability && arch.head->activation == HeadActivation::Linear)
    throw InputError("the model's head is linear (no probabilities): score a logit instead");
}

std::string describeTarget(const Architecture& arch, const InterventionTarget& target) {
  const bool finalStates = arch.head && arch.head->perSequence();
  const std::string at = " at step " + std::to_string(target.step);
  switch (target.kind) {
    case ScoreKind::Logit:
      // A regression head's outputs are the forecasts themselves, not logits of classes.
      return (arch.task == Task::Regression ? "output " : "logit ") + std::to_string(target.output) +
             (finalStates ? "" : at);
    case ScoreKind::LogProbability:
      return "log p(" + std::to_string(target.output) + ")" + (finalStates ? "" : at);
    case ScoreKind::Unit: {
      const bool known = target.layer >= 0 && target.layer < static_cast<int>(arch.layers.size());
      return std::string(quantityName(target.quantity)) + " " + std::to_string(target.layer) + "/" +
             (known ? directionName(arch.layers[static_cast<size_t>(target.layer)], target.direction) : "?") + "/" +
             std::to_string(target.unit) + at;
    }
  }
  return "?";
}

template <class T>
double targetScore(const Network<T>& net, const Tape<T>& tape, const InterventionTarget& target, int b) {
  const long B = tape.batch;
  if (target.kind == ScoreKind::Unit) {
    const DirectionTape<T>& dt = tape.layers[static_cast<size_t>(target.layer)][static_cast<size_t>(target.direction)];
    const long col = target.step * B + b;
    const long H = net.arch.layers[static_cast<size_t>(target.layer)].hidden;
    switch (target.quantity) {
      case Quantity::C:
        return static_cast<double>(dt.c(target.unit, col));
      case Quantity::H:
        return static_cast<double>(dt.h(target.unit, col));
      default:
        return static_cast<double>(dt.gates(static_cast<int>(target.quantity) * H + target.unit, col));
    }
  }
  const bool finalStates = net.arch.head->perSequence();
  const auto logits = tape.logits.col(finalStates ? b : target.step * B + b);
  if (target.kind == ScoreKind::Logit) return static_cast<double>(logits(target.output));
  return logProbability<T>(net.arch.head->activation, logits, target.output);
}

template <class T>
InterventionTarget defaultTarget(const Network<T>& net, const Inputs<T>& in, long step) {
  InterventionTarget target;
  target.step = step;
  if (step < 0 || step >= in.steps)
    throw InputError("the target step " + std::to_string(step) + " is outside the input's " + std::to_string(in.steps) +
                     " steps");
  if (!net.arch.head) throw InputError("the model has no head: give a target unit");
  target.kind = net.arch.head->activation == HeadActivation::Linear ? ScoreKind::Logit : ScoreKind::LogProbability;
  if (net.arch.predictsNextToken(net.headOutputs()) && step + 1 < in.steps) {
    target.output = in.tokens[static_cast<size_t>(step + 1)];
    return target;
  }
  Tape<T> tape;
  forward(net, in, tape);
  const bool finalStates = net.arch.head->perSequence();
  tape.logits.col(finalStates ? 0 : step).maxCoeff(&target.output);
  return target;
}

template InterventionTarget defaultTarget<float>(const Network<float>&, const Inputs<float>&, long);
template InterventionTarget defaultTarget<double>(const Network<double>&, const Inputs<double>&, long);
template double targetScore<float>(const Network<float>&, const Tape<float>&, const InterventionTarget&, int);
template double targetScore<double>(const Network<double>&, const Tape<double>&, const InterventionTarget&, int);

}  // namespace lstmscope
