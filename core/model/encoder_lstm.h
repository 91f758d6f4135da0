// An encoder–decoder's encoder inside a front end (StepLayer::Kind::Recurrent): an LSTM layer run forward
// from a zero state as Keras computes it, and its backward pass through time for attribution to the raw
// input (docs/ATTRIBUTION.md "Through the front end"). Float64; the model's own LSTMs run in the engine.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "core/model/step_layers.h"

namespace lstmscope {

// What the backward pass reads of a forward run: every step's gate pre-activations z (4H × T, blocks i, f,
// g, o), cell states c and hidden states h (H × T each).
struct EncoderTape {
  Eigen::MatrixXd preActivations, cells, hidden;
};

// The layer over x (in × T): z = W x_t + U h + b; c = f ∘ c + i ∘ act(g); h = o ∘ act(c). Every step's h, or
// with returnSequences false the last step's (no column for no step). Fills `tape` when given.
Eigen::MatrixXd runEncoderLstm(const StepLayer& layer, const Eigen::MatrixXd& x, EncoderTape* tape = nullptr);

// d score / d x from d score / d output (the shape runEncoderLstm gave), through time.
Eigen::MatrixXd encoderLstmBackward(const StepLayer& layer, const Eigen::MatrixXd& x, const EncoderTape& tape,
                                    const Eigen::MatrixXd& gradOutput);

// An encoder layer of a front end over the input's steps: what the app's Encoder dock shows beside the
// decoder's heatmap (docs/APP.md), each layer on the input's own time axis.
struct EncoderStates {
  std::string name;      // the layer's ("encoder_1")
  Eigen::MatrixXd h, c;  // (H, input steps)
};

// Every Recurrent layer of `chain` run over `raw` (what the chain reads), in order; none for a chain without one.
std::vector<EncoderStates> encoderStates(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& raw);

}  // namespace lstmscope
