// A whole run's recordings held in memory: what the desktop app's views read. The CLI streams the same
// recordings to a trace file instead (core/formats/trace_file.h).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/record.h"
#include "core/formats/sequence_input.h"

namespace lstmscope {

// The six quantities every recording holds, in this order.
inline constexpr std::array<Quantity, 6> kRecordedQuantities{Quantity::I, Quantity::F, Quantity::G,
                                                             Quantity::O, Quantity::C, Quantity::H};
int recordedIndex(Quantity q);  // position in kRecordedQuantities; -1 for pre-activations

struct Recording {
  Architecture arch;
  std::vector<std::string> tokens;  // each step's text
  std::vector<int32_t> ids;         // each step's token id (empty for feature inputs)
  Mat<float> features;              // (D, T) each step's features (feature inputs only)
  long steps = 0;
  // states[layer][direction][recordedIndex(q)]: (H, T), column t is step t.
  PerDirection<std::array<Mat<float>, 6>> states;
  Mat<float> probs;  // (K, T) for an each-step head, (K, 1) for a final-states head, empty without a head
  // An attention-pooling head's weight of each step (HeadReads::AttentionPool), else empty: which steps
  // the head read to predict.
  std::vector<float> headAttention;

  const Mat<float>& values(int layer, int direction, Quantity q) const;
  // Whether q was recorded: a window of a trace recorded with --quantities leaves the others empty.
  bool has(int layer, int direction, Quantity q) const { return values(layer, direction, q).cols() == steps; }
  int hidden(int layer) const { return arch.layers[layer].hidden; }
  int directions(int layer) const { return arch.layers[layer].directions(); }
  bool isLanguageModel() const;  // each-step softmax over the input vocabulary: next-token predictions
};

// Bytes a recording of `steps` steps of `arch` takes.
double recordingBytes(const Architecture& arch, long steps);

// Runs `text` through `model` and keeps all six quantities of every layer and direction plus the head's
// probabilities. Reports progress in steps; throws Cancelled when callbacks.cancelled() turns true (polled
// between blocks of steps), InputError when the recording would not fit in memory (half of physical
// memory, or LSTMSCOPE_MEMORY_LIMIT_MB when set).
// `interventions` (optional): the run is made under them (docs/INTERVENTIONS.md).
Recording recordInMemory(const Model& model, const EncodedText& text, const ProgressCallbacks& callbacks = {},
                         const InterventionPlan* interventions = nullptr);

// `intervened` minus `original` (the same input) for every state, the intervened run's probabilities: what
// the views show as "the difference" of an intervention.
Recording stateDifference(const Recording& intervened, const Recording& original);

}  // namespace lstmscope
