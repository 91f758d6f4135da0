// Activation kinds of the model file, and the element-wise forms of the head's dense activations.
// Derivatives are expressed through the activation's OUTPUT, which is what the forward pass keeps.
// (The LSTM gates' vectorised forms live in engine/lstm_kernels.h and engine/backward.cpp.)
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

namespace lstmscope {

// Gate nonlinearity of i, f, o. hard_sigmoid differs between Keras 2 (clip(0.2x+0.5)) and Keras 3
// (clip(x/6+0.5)); see docs/IMPORT.md, "Activations".
enum class GateActivation { Sigmoid, HardSigmoid, HardSigmoidKeras3 };
// Nonlinearity of the candidate g and of the cell output (Keras uses one `activation` for both).
enum class CellActivation { Tanh, Relu, Linear };
// Hidden dense layers before the head.
enum class DenseActivation { Relu, Tanh, Sigmoid, Linear };
// The head's output activation (logits -> probs).
enum class HeadActivation { Softmax, Sigmoid, Linear };

std::string toString(GateActivation a);
std::string toString(CellActivation a);
std::string toString(DenseActivation a);
std::string toString(HeadActivation a);
// Parsers return false for names they do not know (callers report the file and attribute).
bool parse(const std::string& s, GateActivation& out);
bool parse(const std::string& s, CellActivation& out);
bool parse(const std::string& s, DenseActivation& out);
bool parse(const std::string& s, HeadActivation& out);

// d gate / d pre-activation, from the gate's output y.
template <class T>
inline T applyDense(DenseActivation a, T x) {
  switch (a) {
    case DenseActivation::Relu:
      return x > T(0) ? x : T(0);
    case DenseActivation::Tanh:
      return std::tanh(x);
    case DenseActivation::Sigmoid:
      return T(1) / (T(1) + std::exp(-x));
    case DenseActivation::Linear:
      return x;
  }
  return x;
}

template <class T>
inline T denseDerivative(DenseActivation a, T y) {
  switch (a) {
    case DenseActivation::Relu:
      return y > T(0) ? T(1) : T(0);
    case DenseActivation::Tanh:
      return T(1) - y * y;
    case DenseActivation::Sigmoid:
      return y * (T(1) - y);
    case DenseActivation::Linear:
      return T(1);
  }
  return T(0);
}

}  // namespace lstmscope
