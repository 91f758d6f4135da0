// Instrumented forward: streams the recorded quantities of a single sequence to an observer, block by
// block of steps, so that a long input never needs all of its recordings in memory at once.
#pragma once

#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/tape.h"

namespace lstmscope {

class InterventionPlan;

enum class Quantity { I, F, G, O, C, H, PreI, PreF, PreG, PreO };
const char* quantityName(Quantity q);  // trace dataset names: i f g o c h pre_i pre_f pre_g pre_o
bool parseQuantity(const std::string& name, Quantity& out);
inline bool isPreactivation(Quantity q) {
  return q >= Quantity::PreI;
}

struct RecordRequest {
  std::vector<Quantity> quantities{Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H};
  bool outputs = true;     // head logits and probabilities
  long chunkSteps = 1024;  // steps per block for models without bidirectional layers
  // Corpus mode: split the input into this many equal segments (plus a short remainder) and run them as
  // one batch, each from a zero state, like separate documents. 1 = one exact sequential run.
  int segments = 1;
  // Segment lengths are rounded down to a multiple of this (the remainder runs as one more sequence), so
  // that with chunkSteps equal to it every block fills whole chunks of the trace file.
  long segmentAlign = 1;
  // A corpus: documents[d] is document d's first step, and the last entry is the input's length (D+1
  // entries, non-decreasing; empty: one document). Each document starts from a zero state, exactly as if
  // recorded alone; up to documentBatch of them run together. Excludes segments > 1.
  std::vector<long> documents;
  int documentBatch = 16;
  // Interventions applied while recording (docs/INTERVENTIONS.md), or none. Only with one sequence
  // (segments == 1, no documents): the plan's steps are the input's.
  const InterventionPlan* interventions = nullptr;
};

// One quantity of one layer and direction over `steps` consecutive steps: step k's `units` values start
// at data + k * stride (stride >= units; a gate's rows inside the tape's (4H, n) block have stride 4H).
// The memory belongs to the engine and is valid only during the call.
struct StateBlock {
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::H;
  long firstStep = 0, steps = 0;
  const float* data = nullptr;
  int units = 0;
  long stride = 0;
};

// Receives recordings ("ask, then observe"). Blocks arrive in time order per layer. Called on the
// recording thread. Progress and cancelling go through the ProgressCallbacks given to record().
class RecordObserver {
 public:
  virtual ~RecordObserver() = default;
  virtual void onStates(const StateBlock& block) = 0;
  // Head output rows [firstRow, firstRow + rows) of the (T, K) logits and probs ((1, K) for final_states).
  virtual void onOutputs(long firstRow, long rows, const float* logits, const float* probs, int outputs) = 0;
};

// Runs `in` (batch 1) through `net` and reports what `request` asks for, at each step's position in `in`.
// Bidirectional models are run in one block per segment (the backward direction needs the whole segment
// before its first step). Between blocks it reports progress in steps and throws Cancelled when
// callbacks.cancelled() turns true.
template <class T>
void record(const Network<T>& net, const Inputs<T>& in, const RecordRequest& request, RecordObserver& observer,
            const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
