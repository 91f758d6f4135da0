// The backward pass of a front end (step_layers.h): the gradient of a score with respect to the front end's
// input, given its gradient with respect to the front end's output (a vector–Jacobian product). Attribution
// uses it to reach the model's raw input, a table's rows or a text's token vectors, through the layers the
// model runs before its first LSTM (docs/ATTRIBUTION.md "Through the front end"). Every StepLayer kind has
// one, in float64, checked against PyTorch autograd and finite differences (tests/model/).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/model/step_layers.h"

namespace lstmscope {

// The input of every layer of `chain` applied to `input`, and the chain's output last: what the backward
// pass reads (chain.size() + 1 matrices).
std::vector<Eigen::MatrixXd> stepLayerInputs(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& input);

// d score / d input from `gradOutput` = d score / d output (the chain's output shape), with `inputs` from
// stepLayerInputs. The pass stops at a Lookup layer (an id has no gradient): a chain that starts with one
// gives the gradient with respect to the lookup's output vectors, the tokens' embeddings. A max pooling passes
// the gradient to the first of equal maxima; at a kink (relu at 0, hard_sigmoid at its clip) the derivative is
// autograd's (step_activations.h).
Eigen::MatrixXd stepLayersBackward(const std::vector<StepLayer>& chain, const std::vector<Eigen::MatrixXd>& inputs,
                                   const Eigen::MatrixXd& gradOutput);

}  // namespace lstmscope
