// Training objectives: loss and gradients for one batch. The trainer calls these; tests compare them
// with PyTorch autograd in float64.
#pragma once

#include "core/engine/backward.h"
#include "core/engine/forward.h"

namespace lstmscope {

// Language model (each-step softmax head): mean cross-entropy (nats) of predicting targets[k] from
// inputs column k, over all steps*batch columns. `initial` carries state over from the previous chunk
// (truncated BPTT); `final` receives the state after the last step. Fills weight gradients.
template <class T>
double languageModelLoss(const Network<T>& net, const Inputs<T>& in, const std::vector<int32_t>& targets,
                         const State<T>* initial, State<T>* final, Gradients<T>* grads);

// Sequence classifier (final-states softmax head), one sequence: cross-entropy (nats) of `label`.
template <class T>
double classifierLoss(const Network<T>& net, const Inputs<T>& in, int label, Gradients<T>* grads);

// Scales gradients so that their global L2 norm is at most maxNorm (no-op if maxNorm <= 0).
// Returns the norm before clipping.
template <class T>
double clipGradientNorm(Params<T>& grads, double maxNorm);

}  // namespace lstmscope
