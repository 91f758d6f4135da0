#include "core/model/activations.h"

namespace lstmscope {

std::string toString(GateActivation a) {
  switch (a) {
    case GateActivation::Sigmoid:
      return "sigmoid";
    case GateActivation::HardSigmoid:
      return "hard_sigmoid";
    case GateActivation::HardSigmoidKeras3:
      return "hard_sigmoid_keras3";
  }
  return "?";
}
std::string toString(CellActivation a) {
  switch (a) {
    case CellActivation::Tanh:
      return "tanh";
    case CellActivation::Relu:
      return "relu";
    case CellActivation::Linear:
      return "linear";
  }
  return "?";
}
std::string toString(DenseActivation a) {
  switch (a) {
    case DenseActivation::Relu:
      return "relu";
    case DenseActivation::Tanh:
      return "tanh";
    case DenseActivation::Sigmoid:
      return "sigmoid";
    case DenseActivation::Linear:
      return "linear";
  }
  return "?";
}
std::string toString(HeadActivation a) {
  switch (a) {
    case HeadActivation::Softmax:
      return "softmax";
    case HeadActivation::Sigmoid:
      return "sigmoid";
    case HeadActivation::Linear:
      return "linear";
  }
  return "?";
}

template <class E>
static bool parseAny(const std::string& s, E& out, std::initializer_list<E> all) {
  for (E e : all)
    if (toString(e) == s) return out = e, true;
  return false;
}

bool parse(const std::string& s, GateActivation& out) {
  return parseAny(s, out, {GateActivation::Sigmoid, GateActivation::HardSigmoid, GateActivation::HardSigmoidKeras3});
}
bool parse(const std::string& s, CellActivation& out) {
  return parseAny(s, out, {CellActivation::Tanh, CellActivation::Relu, CellActivation::Linear});
}
bool parse(const std::string& s, DenseActivation& out) {
  return parseAny(s, out,
                  {DenseActivation::Relu, DenseActivation::Tanh, DenseActivation::Sigmoid, DenseActivation::Linear});
}
bool parse(const std::string& s, HeadActivation& out) {
  return parseAny(s, out, {HeadActivation::Softmax, HeadActivation::Sigmoid, HeadActivation::Linear});
}

}  // namespace lstmscope
