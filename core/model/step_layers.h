// Layers that act on each step on its own — an affine map (BatchNormalization at inference), a dense layer
// with an activation, a layer normalisation, an element-wise activation — as frameworks around an LSTM
// write them (Keras' per-step layers). Importers fold them into the weights next to them where they can
// (keras_step_layers.h); the ones before a features model's first LSTM that cannot be folded form its front
// end (Architecture::frontEnd), computed from the raw features before the engine runs (model.h).
// A front end may also hold window layers, which read several neighbouring steps and change the time axis:
// a 1-D convolution and max or average pooling (window_layers.h); and an encoder–decoder's encoder: LSTM
// layers over the input's steps whose final state a RepeatVector repeats as the decoder's steps, the
// decoder being the model's own LSTMs (docs/IMPORT.md "Encoder-decoders"). All in float64.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace lstmscope {

struct StepLayer {
  // Lookup: an embedding table read by token id, the first layer of a front end that reads text (a Keras
  // Embedding before a Conv1D): its input is one id per step (a 1 × T row), its output the ids' columns.
  // Recurrent: an LSTM layer run over the steps (an encoder), forward, from a zero state; it gives every
  // step's h, or with returnSequences false only the last step's. Repeat: its one input step repeated
  // `repeats` times (Keras' RepeatVector): the decoder's time axis.
  enum class Kind { Affine, Dense, LayerNorm, Activation, Conv, MaxPool, AveragePool, Lookup, Recurrent, Repeat };
  // How a window layer pads the sequence (TensorFlow's rules, docs/IMPORT.md#front-ends-over-time): valid
  // (none: the windows that fit), same (ceil(T / stride) outputs, the padding split with its smaller half
  // first) or causal (window − 1 steps before the first, dilated: an output never reads a later step).
  enum class Padding { Valid, Same, Causal };
  std::string name, className;  // as the model file names them ("batch_normalization", "BatchNormalization")
  Kind kind = Kind::Affine;
  Eigen::VectorXd scale, shift;  // Affine: y = scale ∘ x + shift; LayerNorm: gamma and beta (empty: 1 and 0)
  Eigen::MatrixXd weight;        // Dense: y = act(weight x + bias), weight (out, in); Conv: (out, window × in),
                                 // column j·in + i is tap j of input feature i; Lookup: (E, V), column v is id v
  Eigen::VectorXd bias;          // Recurrent: b_ih + b_hh (4H)
  Eigen::MatrixXd recurrent;     // Recurrent: W_hh (4H, H); `weight` is W_ih (4H, in); gate blocks i, f, g, o
  std::string gateActivation;    // Recurrent: sigmoid or hard_sigmoid (Keras' recurrent_activation)
  bool returnSequences = true;   // Recurrent: every step's h, or only the last step's
  int repeats = 1;               // Repeat: how many steps the one input step becomes
  double epsilon = 0;            // LayerNorm: y = gamma ∘ (x − mean) / sqrt(var + epsilon) + beta
  std::string activation;        // Dense and Activation: Keras' name ("linear" for none; stepActivations())
  int generation = 2;            // hard_sigmoid differs between Keras 2 (0.2x + 0.5) and 3 (x/6 + 0.5)
  // Window layers (Conv, MaxPool, AveragePool): output t reads input steps t·stride − before + j·dilation for
  // taps j < window, where `before` is the padding before the first step; padded steps are zeros to a
  // convolution and absent from a pooling (a max or mean over the steps that exist, as TensorFlow's).
  int window = 1, stride = 1, dilation = 1;
  Padding padding = Padding::Valid;

  // Whether the layer is x ↦ A x + c on each step.
  bool affine() const;
  // Whether an output step reads other steps than its own (a window layer).
  bool mixesSteps() const { return kind == Kind::Conv || kind == Kind::MaxPool || kind == Kind::AveragePool; }
  // Whether its steps are not its input's, one for one: a window layer, an encoder giving only its last
  // state, a repeat.
  bool changesSteps() const {
    return mixesSteps() || (kind == Kind::Recurrent && !returnSequences) || kind == Kind::Repeat;
  }
  // Width it reads, or -1 when it keeps any width (element-wise layers).
  long inputWidth() const;
  // Width it gives for inputs of `width`.
  long outputWidth(long width) const {
    if (kind == Kind::Recurrent) return recurrent.cols();
    return kind == Kind::Dense || kind == Kind::Conv || kind == Kind::Lookup ? weight.rows() : width;
  }
  // "batch_normalization (BatchNormalization, epsilon 0.001)", for reports and `info`.
  std::string describe() const;
};

// Whether the chain repeats a state into the steps of a second time axis (an encoder–decoder's front end).
bool repeatsAState(const std::vector<StepLayer>& chain);

// The activation names a StepLayer knows: linear, relu, tanh, sigmoid, hard_sigmoid, softmax (over a
// step's features), elu, selu, softplus, softsign, swish/silu, gelu (exact), exponential.
bool isStepActivation(const std::string& name);

// The x ↦ A x + c that a chain of affine layers composes to, on inputs of width `width`.
struct AffineMap {
  Eigen::MatrixXd A;
  Eigen::VectorXd c;
};
AffineMap composeAffine(const std::vector<StepLayer>& chain, long width);

// The chain applied to x (features × steps, one step per column); window layers change the step count
// (window_layers.h), and a chain whose windows do not fit gives zero columns.
Eigen::MatrixXd applyStepLayers(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& x);

// One layer of a chain applied to x.
Eigen::MatrixXd applyStepLayer(const StepLayer& layer, const Eigen::MatrixXd& x);

// "a (Dense, relu) → b (LayerNormalization, epsilon 0.001)".
std::string describeStepLayers(const std::vector<StepLayer>& chain);

}  // namespace lstmscope
