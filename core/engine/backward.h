// Backward through time: gradients of a scalar score (or of a weighted sum of many scores) with respect
// to the inputs, every hidden and cell state, and every weight. Attribution and training both use it.
#pragma once

#include "core/engine/tape.h"

namespace lstmscope {

// What the score depends on, as adjoints (d score / d quantity). Any part may be empty (= zero).
template <class T>
struct Adjoints {
  Mat<T> dLogits;  // same shape as Tape::logits
  // Direct seeds on states, each (H, T*B): lets a target be a hidden or cell unit.
  PerDirection<Mat<T>> dH, dC;
};

struct BackwardOptions {
  bool weightGradients = true;
  bool stateGradients = false;  // keep d score / d h_t and d score / d c_t for every layer and step
  bool inputGradients = true;   // d score / d layer-0 input (embedding vectors, one-hot or features)
};

template <class T>
struct Gradients {
  Params<T> params;  // same shapes as the network's (when weightGradients)
  Mat<T> dInput;     // (D_0, T*B); for one-hot input D_0 = V
  // Total derivatives with respect to each h_t and c_t, (H, T*B) (when stateGradients).
  PerDirection<Mat<T>> dH, dC;
  State<T> dInitial;  // d score / d initial state, [layer][direction] (H, B)
};

// The tape must come from forward() on the same network and inputs.
template <class T>
void backward(const Network<T>& net, const Inputs<T>& in, const Tape<T>& tape, const Adjoints<T>& adjoints,
              const BackwardOptions& options, Gradients<T>& out);

}  // namespace lstmscope
