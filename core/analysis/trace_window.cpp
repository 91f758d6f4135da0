#include "core/analysis/trace_window.h"

#include <algorithm>

#include "core/common/error.h"

namespace lstmscope {

Architecture architectureOfTrace(const TraceReader& trace) {
  Architecture arch;
  arch.name = trace.modelName();
  for (int l = 0; l < trace.layers(); ++l) {
    LayerSpec spec;
    spec.hidden = trace.units(l);
    spec.bidirectional = trace.directions(l) == 2;
    spec.reverse = !spec.bidirectional && trace.directionName(l, 0) == "bwd";
    arch.layers.push_back(spec);
  }
  return arch;
}

std::string modelMismatch(const TraceReader& trace, const Architecture& model) {
  if (static_cast<int>(model.layers.size()) != trace.layers())
    return "the model has " + std::to_string(model.layers.size()) + " layer(s), the trace " +
           std::to_string(trace.layers());
  for (int l = 0; l < trace.layers(); ++l) {
    const LayerSpec& spec = model.layers[static_cast<size_t>(l)];
    if (spec.hidden != trace.units(l) || spec.directions() != trace.directions(l) ||
        directionName(spec, 0) != trace.directionName(l, 0))
      return "layer " + std::to_string(l) + " of the model has " + std::to_string(spec.hidden) + " units " +
             (spec.bidirectional ? "fwd+bwd" : directionName(spec, 0)) + ", the trace " +
             std::to_string(trace.units(l)) + " " + (trace.directions(l) == 2 ? "fwd+bwd" : trace.directionName(l, 0));
  }
  const auto [rows, outputs] = trace.outputShape();
  if (rows == trace.steps() && model.head && outputs > 0 && model.inputKind == InputKind::Tokens &&
      model.task == Task::LanguageModel && outputs != model.vocab.size())
    return "the trace's head has " + std::to_string(outputs) + " outputs, the model's vocabulary " +
           std::to_string(model.vocab.size()) + " tokens";
  return {};
}

int documentOf(const TraceReader& trace, long step) {
  const std::vector<int64_t>& offsets = trace.documentOffsets();
  // The last offset <= step: empty documents before it share its offset and hold no step.
  const auto after = std::upper_bound(offsets.begin(), offsets.end() - 1, static_cast<int64_t>(step));
  return std::clamp(static_cast<int>(after - offsets.begin()) - 1, 0, trace.documents() - 1);
}

TraceWindow windowAround(const TraceReader& trace, long step, long maxSteps) {
  step = std::clamp(step, 0L, trace.steps() - 1);
  maxSteps = std::max(1L, maxSteps);
  const int d = documentOf(trace, step);
  const long first = trace.documentOffsets()[static_cast<size_t>(d)];
  const long end = trace.documentOffsets()[static_cast<size_t>(d) + 1];
  if (end - first <= maxSteps) return {first, end - first, d};
  const long start = std::clamp(step - maxSteps / 4, first, end - maxSteps);
  return {start, maxSteps, d};
}

long windowStepBudget(const TraceReader& trace, double bytes) {
  double perStep = 2 * sizeof(int32_t) + 16;  // token id and text
  for (int l = 0; l < trace.layers(); ++l)
    for (int d = 0; d < trace.directions(l); ++d) {
      for (Quantity q : kRecordedQuantities)
        if (trace.has(l, d, q)) perStep += sizeof(float) * trace.units(l);
      perStep += sizeof(float) * trace.units(l);  // tanh(c)
    }
  const auto [rows, outputs] = trace.outputShape();
  if (rows == trace.steps()) perStep += sizeof(float) * outputs;
  return std::max(1L, static_cast<long>(bytes / perStep));
}

Recording readTraceWindow(const TraceReader& trace, const Architecture& arch, const TraceWindow& window) {
  if (window.first < 0 || window.count < 1 || window.end() > trace.steps())
    throw InputError(trace.path(), "steps " + std::to_string(window.first) + " to " + std::to_string(window.end()) +
                                       " are outside the trace (" + std::to_string(trace.steps()) + " steps)");
  Recording r;
  r.arch = arch;
  r.steps = window.count;
  // One entry per step (TraceReader checks token_text's length when it opens the trace).
  if (trace.hasTokenText()) r.tokens = trace.tokenText(window.first, window.count);
  if (r.tokens.empty())  // a trace of features without step labels: the steps' numbers
    for (long t = window.first; t < window.end(); ++t) r.tokens.push_back(std::to_string(t));
  if (arch.inputKind == InputKind::Tokens && !arch.vocab.tokens().empty())
    r.ids = trace.tokens(window.first, window.count);
  if (arch.inputKind == InputKind::Features && trace.hasFeatures())
    r.features = trace.features(window.first, window.count);
  for (int l = 0; l < trace.layers(); ++l) {
    r.states.emplace_back(static_cast<size_t>(trace.directions(l)));
    for (int d = 0; d < trace.directions(l); ++d)
      for (Quantity q : kRecordedQuantities)
        if (trace.has(l, d, q))
          r.states[static_cast<size_t>(l)][static_cast<size_t>(d)][static_cast<size_t>(recordedIndex(q))] =
              trace.read(l, d, q, window.first, window.count);
  }
  const auto [rows, outputs] = trace.outputShape();
  if (rows == trace.steps() && outputs > 0) r.probs = trace.probs(window.first, window.count);
  return r;
}

void requireRecorded(const TraceReader& trace, int layer, int direction, Quantity q) {
  if (layer < 0 || layer >= trace.layers())
    throw InputError(trace.path(), "the trace has no layer " + std::to_string(layer));
  if (direction < 0 || direction >= trace.directions(layer) || !trace.has(layer, direction, q))
    throw InputError(trace.path(), "the trace does not record " + std::to_string(layer) + "/" +
                                       (direction >= 0 && direction < trace.directions(layer)
                                            ? trace.directionName(layer, direction)
                                            : std::string("direction ") + std::to_string(direction)) +
                                       "/" + quantityName(q));
}

}  // namespace lstmscope
