// Layers that act on each step on its own — an affine map (BatchNormalization at inference), a dense layer
// with an activation, a layer normalisation, an element-wise activation — as frameworks around an LSTM
// write them (Keras' per-step layers). Importers fold them into the weights next to them where they can
// (keras_step_layers.h); the ones before a features model's first LSTM that cannot be folded form its front
// end (Architecture::frontEnd), computed from the raw features before the engine runs (front_end.h).
// All in float64.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace lstmscope {

struct StepLayer {
  enum class Kind { Affine, Dense, LayerNorm, Activation };
  std::string name, className;  // as the model file names them ("batch_normalization", "BatchNormalization")
  Kind kind = Kind::Affine;
  Eigen::VectorXd scale, shift;  // Affine: y = scale ∘ x + shift; LayerNorm: gamma and beta (empty: 1 and 0)
  Eigen::MatrixXd weight;        // Dense: y = act(weight x + bias), weight (out, in)
  Eigen::VectorXd bias;
  double epsilon = 0;      // LayerNorm: y = gamma ∘ (x − mean) / sqrt(var + epsilon) + beta
  std::string activation;  // Dense and Activation: Keras' name ("linear" for none; stepActivations())
  int generation = 2;      // hard_sigmoid differs between Keras 2 (0.2x + 0.5) and 3 (x/6 + 0.5)

  // Whether the layer is x ↦ A x + c.
  bool affine() const;
  // Width it reads, or -1 when it keeps any width (element-wise layers).
  long inputWidth() const;
  // Width it gives for inputs of `width`.
  long outputWidth(long width) const { return kind == Kind::Dense ? weight.rows() : width; }
  // "batch_normalization (BatchNormalization, epsilon 0.001)", for reports and `info`.
  std::string describe() const;
};

// The activation names a StepLayer knows: linear, relu, tanh, sigmoid, hard_sigmoid, softmax (over a
// step's features), elu, selu, softplus, softsign, swish/silu, gelu (exact), exponential.
bool isStepActivation(const std::string& name);

// The x ↦ A x + c that a chain of affine layers composes to, on inputs of width `width`.
struct AffineMap {
  Eigen::MatrixXd A;
  Eigen::VectorXd c;
};
AffineMap composeAffine(const std::vector<StepLayer>& chain, long width);

// The chain applied to every column of x (one step per column).
Eigen::MatrixXd applyStepLayers(const std::vector<StepLayer>& chain, Eigen::MatrixXd x);

// "a (Dense, relu) → b (LayerNormalization, epsilon 0.001)".
std::string describeStepLayers(const std::vector<StepLayer>& chain);

}  // namespace lstmscope
