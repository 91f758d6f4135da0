// Inputs, per-run state and the forward tape. A Tape is one run's private memory: the engine never keeps
// state between calls, so one Network can serve many runs at once (read-only sharing).
//
// Layout everywhere: matrices are column-major with one column per (step, sequence) pair, column index
// t * batch + b. A (H, T*B) block of one quantity is therefore, in memory, exactly the row-major (T, H)
// layout of a trace dataset when batch == 1.
#pragma once

#include <cstdint>
#include <vector>

#include "core/model/model.h"

namespace lstmscope {

template <class T>
struct Inputs {
  int steps = 0;
  int batch = 1;
  std::vector<int32_t> tokens;  // tokens input: steps*batch ids, index t*batch + b
  Mat<T> features;              // features input: (dim, steps*batch)
  long columns() const { return static_cast<long>(steps) * batch; }
};

// Recurrent state of one direction of one layer for a batch: h and c, each (H, B).
template <class T>
struct DirectionState {
  Mat<T> h, c;
};
template <class T>
using State = PerDirection<DirectionState<T>>;

template <class T>
struct DirectionTape {
  Mat<T> gates;               // (4H, T*B): i, f, g, o after their nonlinearity
  Mat<T> preact;              // (4H, T*B): before it (and before any clip); with keepPreactivations or a clip
  Mat<T> c, h;                // (H, T*B)
  DirectionState<T> initial;  // (H, B) each
};

template <class T>
struct Tape {
  int steps = 0, batch = 1;
  // [0]: layer 0's input (D_0, T*B), empty for one-hot; [l+1]: output of layer l (fwd rows, then bwd).
  std::vector<Mat<T>> layerInput;
  PerDirection<DirectionTape<T>> layers;
  std::vector<Mat<T>> headInputs;  // [0]: what the head reads; [k+1]: output of hidden dense k
  Mat<T> headSteps;                // a pooling head's sources stacked (D, T*B), when it has several (head_pooling.h)
  Mat<T> headWeights;              // an attention-pooling head's weight of each step (1, T*B)
  Mat<T> logits, probs;            // (K, T*B) each-step head, (K, B) final-states head

  // Each direction's state after its last step (step T-1 forward in time, 0 backward). Carrying it over
  // to the next chunk is only right for layers that do not look ahead.
  State<T> finalState(const Architecture& arch) const;
};

class InterventionPlan;

struct ForwardOptions {
  bool keepPreactivations = false;
  bool computeHead = true;
  // Interventions to apply (docs/INTERVENTIONS.md), or none. The run's step t is the plan's step
  // firstStep + t, so that a long input run in chunks keeps the plan's steps.
  const InterventionPlan* interventions = nullptr;
  long firstStep = 0;
  // Every column's numbers do not depend on the other columns of the run (their number, their place), bit
  // for bit: a corpus's documents then record alike whatever documents share their batch, so the ranks of
  // an MPI record write the serial trace (docs/ENGINE.md "Columns computed alike"). Every matrix product
  // goes through our packed kernel (AVX-512), else column by column.
  bool columnsIndependent = false;
};

}  // namespace lstmscope
