// The element-wise activations of front-end layers (step_layers.h) by their Keras names, and their
// derivatives for the front end's backward pass (step_layers_backward.h). Softmax is over a step's features,
// not element-wise, and is handled by its callers.
#pragma once

#include <Eigen/Core>
#include <string>

namespace lstmscope {

// f(x), with `keras3` choosing Keras 3's hard_sigmoid (x/6 + 0.5) over Keras 2's (0.2x + 0.5).
using StepActivationFunction = double (*)(double x, bool keras3);

// The function named `name` (relu, tanh, sigmoid, hard_sigmoid, elu, selu, softplus, softsign, swish or silu,
// gelu, exponential); nullptr for linear, softmax and unknown names.
StepActivationFunction stepActivation(const std::string& name);
// Its derivative at the pre-activation x, as autograd takes it at a kink: relu'(0) = 0, hard_sigmoid's slope
// only strictly inside its linear part; nullptr where stepActivation gives nullptr (linear's is 1).
StepActivationFunction stepActivationDerivative(const std::string& name);

// The activation `name` applied to every value of x (features × steps) in place, softmax over each step's
// features; `generation` chooses Keras 3's hard_sigmoid (3) over Keras 2's. Linear and unknown names leave x.
void activateInPlace(const std::string& name, int generation, Eigen::MatrixXd& x);

}  // namespace lstmscope
