// The bracket fixture (resources/fixtures/brackets_char.h5, trained with our trainer) on its own language:
// its input with the depth after each step, and the decision only a model that counts can make. Shared by
// the planted-mechanism tests of interventions and probes.
#pragma once

#include <string>
#include <vector>

#include "core/engine/forward.h"
#include "core/engine/intervention_plan.h"
#include "core/text/vocabulary.h"
#include "tests/support/bracket_text.h"

namespace lstmscope::test {

inline std::string bracketFixturePath() {
  return std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/fixtures/brackets_char.h5";
}

struct BracketInput {
  Inputs<double> in;
  std::vector<int> depth;  // after each step's character
};

inline BracketInput bracketInput(const Architecture& arch, const std::string& text) {
  BracketInput b;
  b.in.tokens = tokenize(arch.vocab, text, "brackets").ids;
  b.in.steps = static_cast<int>(b.in.tokens.size());
  int d = 0;
  for (char ch : text) b.depth.push_back(d += (ch == '(') - (ch == ')'));
  return b;
}

// At the steps at depth 0, the share where the model prefers ending the line to closing a bracket (which
// is illegal there): a model must have counted to know.
inline double closingAccuracy(const Network<double>& net, const BracketInput& b,
                              const std::vector<UnitIntervention>& run) {
  const InterventionPlan plan(run, net.arch);
  ForwardOptions options;
  options.interventions = &plan;
  Tape<double> tape;
  forward(net, b.in, tape, options);
  const int close = net.arch.vocab.idOf(")"), newline = net.arch.vocab.idOf("\n");
  int right = 0, atZero = 0;
  for (int t = 0; t < b.in.steps; ++t)
    if (b.depth[static_cast<size_t>(t)] == 0) ++atZero, right += tape.probs(newline, t) > tape.probs(close, t);
  return static_cast<double>(right) / atZero;
}

// Quantity `slot` of a layer-0 unit set to `value` at every step.
inline std::vector<UnitIntervention> unitAt(EditSlot slot, int unit, long steps, double value) {
  UnitIntervention v;
  v.slot = slot, v.unit = unit, v.firstStep = 0, v.endStep = steps, v.value = value;
  return {v};
}

inline std::vector<UnitIntervention> cellAt(int unit, long steps, double value) {
  return unitAt(EditSlot::C, unit, steps, value);
}

}  // namespace lstmscope::test
