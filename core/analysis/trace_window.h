// A window of a trace file as the Recording the app's views read: a long trace is opened without reading
// it, and the views show one document (or a stretch of a long one) at a time, read on demand
// (docs/FORMAT.md "Trace file", docs/APP.md "Traces and corpora").
#pragma once

#include "core/analysis/recording.h"
#include "core/formats/trace_file.h"

namespace lstmscope {

// Steps [first, first + count) of a trace, all inside document `document`.
struct TraceWindow {
  long first = 0, count = 0;
  int document = 0;
  long end() const { return first + count; }
  bool contains(long step) const { return step >= first && step < end(); }
};

// What the trace says of the model's layers: units and directions (a lone bwd direction is a reverse
// layer), a tokens input without vocabulary, no head. Used when the model file is not at hand.
Architecture architectureOfTrace(const TraceReader& trace);

// Whether `model` is the one the trace was recorded with, as far as the trace can tell: the same layers,
// units and directions, and, for an each-step head, as many outputs. Empty when it fits; else what differs.
std::string modelMismatch(const TraceReader& trace, const Architecture& model);

// The document that holds `step` (the first of several empty documents at the same offset never does).
int documentOf(const TraceReader& trace, long step);

// Throws InputError naming the trace when it has no such layer, or does not record that direction and
// quantity: what every reader of one quantity over the whole trace (match, unit summaries) checks first.
void requireRecorded(const TraceReader& trace, int layer, int direction, Quantity q);

// The window the views show around `step`: its whole document when that has at most `maxSteps` steps,
// else `maxSteps` steps of it starting a quarter of the window before `step` (clamped to the document).
TraceWindow windowAround(const TraceReader& trace, long step, long maxSteps);

// How many steps of the trace a window may hold within `bytes` of memory: every recorded quantity of
// every layer as float32, the tokens, the head's outputs, and the views' derived copies (tanh(c)).
long windowStepBudget(const TraceReader& trace, double bytes);

// Reads `window` of the trace as a recording of `arch` (architectureOfTrace, or the model's when it fits).
// Quantities the trace does not record stay empty matrices (Recording::has); the head's probabilities are
// read when the trace stores one row per step. Steps of a features input are labelled by token_text.
Recording readTraceWindow(const TraceReader& trace, const Architecture& arch, const TraceWindow& window);

}  // namespace lstmscope
