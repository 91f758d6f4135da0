// What an intervention is measured by (docs/INTERVENTIONS.md "Targets"): a head logit or log-probability at
// a step, or one unit of a layer's gate, cell or hidden value at a step.
#pragma once

#include <cmath>
#include <string>

#include "core/engine/record.h"
#include "core/engine/tape.h"

namespace lstmscope {

enum class ScoreKind { Logit, LogProbability, Unit };

struct InterventionTarget {
  ScoreKind kind = ScoreKind::Logit;
  long step = 0;   // a final-states head has one output: the step is ignored
  int output = 0;  // Logit, LogProbability
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::C;  // Unit: i f g o c or h
  int unit = 0;
};

// Throws InputError naming what does not exist in `net` for an input of `steps` steps (or that a linear
// head has no log-probability).
void validateTarget(const Architecture& arch, int headOutputs, long steps, const InterventionTarget& target);
// "log p(12) at step 40", "logit 3", "c 1/fwd/7 at step 40".
std::string describeTarget(const Architecture& arch, const InterventionTarget& target);

// The default target at `step` (docs/INTERVENTIONS.md "Targets"): a language model's actual next token there
// when the input has one, else the most probable output of the unintervened run (one forward pass); the
// log-probability unless the head is linear. Throws InputError for a model without a head or a step
// outside the input.
template <class T>
InterventionTarget defaultTarget(const Network<T>& net, const Inputs<T>& in, long step);

// The target's score in column b of a tape over a batch of `batch` (a forward pass with the head computed).
template <class T>
double targetScore(const Network<T>& net, const Tape<T>& tape, const InterventionTarget& target, int b = 0);

// Log-probability of output k from logits under the head's activation (softmax: log-softmax; sigmoid:
// log sigmoid); the logit itself for a linear head (validateTarget refuses that case).
template <class T, class Column>
double logProbability(HeadActivation activation, const Column& logits, int k) {
  const double z = static_cast<double>(logits(k));
  if (activation == HeadActivation::Sigmoid) return -std::log1p(std::exp(-z));
  if (activation != HeadActivation::Softmax) return z;
  const double top = static_cast<double>(logits.maxCoeff());
  double sum = 0;
  for (long j = 0; j < logits.size(); ++j) sum += std::exp(static_cast<double>(logits(j)) - top);
  return z - top - std::log(sum);
}

}  // namespace lstmscope
