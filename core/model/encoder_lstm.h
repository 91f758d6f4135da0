// An encoder–decoder's encoder inside a front end (StepLayer::Kind::Recurrent): an LSTM layer run forward
// from a zero state as Keras computes it, and its backward pass through time for attribution to the raw
// input (docs/ATTRIBUTION.md "Through the front end"). Float64; the model's own LSTMs run in the engine.
#pragma once

#include <Eigen/Core>

#include "core/model/step_layers.h"

namespace lstmscope {

// What the backward pass reads of a forward run: every step's gate pre-activations z (4H × T, blocks i, f,
// g, o) and cell states c (H × T).
struct EncoderTape {
  Eigen::MatrixXd preActivations, cells;
};

// The layer over x (in × T): z = W x_t + U h + b; c = f ∘ c + i ∘ act(g); h = o ∘ act(c). Every step's h, or
// with returnSequences false the last step's (no column for no step). Fills `tape` when given.
Eigen::MatrixXd runEncoderLstm(const StepLayer& layer, const Eigen::MatrixXd& x, EncoderTape* tape = nullptr);

// d score / d x from d score / d output (the shape runEncoderLstm gave), through time.
Eigen::MatrixXd encoderLstmBackward(const StepLayer& layer, const Eigen::MatrixXd& x, const EncoderTape& tape,
                                    const Eigen::MatrixXd& gradOutput);

}  // namespace lstmscope
