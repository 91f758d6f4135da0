// The LSTM forward pass over a batch of sequences, kept on a tape for recording and backward.
#pragma once

#include "core/engine/tape.h"

namespace lstmscope {

// Runs every layer over all steps and, if the model has one, the head. `initial` (optional) gives each
// layer/direction's starting state; zeros otherwise. Throws InputError for token ids outside the
// vocabulary or inputs of the wrong width.
//
// Cost: one matrix product per layer and direction for the input projection of all steps, then one
// matrix-vector (batch 1) or matrix-matrix product per step for the recurrence.
template <class T>
void forward(const Network<T>& net, const Inputs<T>& in, Tape<T>& tape, const ForwardOptions& options = {},
             const State<T>* initial = nullptr);

// Applies the head's activation (softmax over rows, sigmoid, or identity) to logits.
template <class T>
Mat<T> headActivation(HeadActivation a, const Mat<T>& logits);

}  // namespace lstmscope
