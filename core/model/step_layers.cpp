#include "core/model/step_layers.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "core/model/encoder_lstm.h"
#include "core/model/step_activations.h"
#include "core/model/window_layers.h"

namespace lstmscope {

namespace {

const std::set<std::string> kActivations = {"linear",  "relu", "tanh", "sigmoid",    "hard_sigmoid",
                                            "softmax", "elu",  "selu", "softplus",   "softsign",
                                            "swish",   "silu", "gelu", "exponential"};

// Each step's id (row 0 of x) replaced by its column of the table; an id outside the table (which the text
// encoder never gives) reads as NaN, so it cannot pass for a real token.
Eigen::MatrixXd lookUp(const Eigen::MatrixXd& table, const Eigen::MatrixXd& ids) {
  Eigen::MatrixXd out(table.rows(), ids.cols());
  for (long t = 0; t < ids.cols(); ++t) {
    const double id = ids.rows() ? ids(0, t) : -1;
    if (id >= 0 && id < static_cast<double>(table.cols()) && id == std::floor(id))
      out.col(t) = table.col(static_cast<long>(id));
    else
      out.col(t).setConstant(std::nan(""));
  }
  return out;
}

// Keras' RepeatVector: the one step repeated (no step in, none out).
Eigen::MatrixXd repeatStep(const StepLayer& s, const Eigen::MatrixXd& x) {
  if (x.cols() == 0) return Eigen::MatrixXd(x.rows(), 0);
  return x.col(0).replicate(1, s.repeats);
}

}  // namespace

bool repeatsAState(const std::vector<StepLayer>& chain) {
  return std::any_of(chain.begin(), chain.end(), [](const StepLayer& s) { return s.kind == StepLayer::Kind::Repeat; });
}

bool isStepActivation(const std::string& name) {
  return kActivations.count(name) != 0;
}

bool StepLayer::affine() const {
  return kind == Kind::Affine || ((kind == Kind::Dense || kind == Kind::Activation) && activation == "linear");
}

long StepLayer::inputWidth() const {
  if (kind == Kind::Dense) return weight.cols();
  if (kind == Kind::Conv) return window > 0 ? weight.cols() / window : -1;
  if (kind == Kind::Lookup) return 1;  // one id per step
  if (kind == Kind::Recurrent) return weight.cols();
  if (kind == Kind::Affine) return scale.size();
  if (kind == Kind::LayerNorm) return scale.size() ? scale.size() : shift.size() ? shift.size() : -1;
  return -1;
}

std::string StepLayer::describe() const {
  std::ostringstream out;
  out << name << " (" << className;
  if (kind == Kind::Affine || kind == Kind::LayerNorm) out << ", epsilon " << epsilon;
  if (kind == Kind::Conv) out << ", " << weight.rows() << " filters";
  if (kind == Kind::Lookup) out << ", " << weight.cols() << " tokens of width " << weight.rows();
  if (kind == Kind::Recurrent)
    out << ", " << recurrent.cols() << " units, gates " << gateActivation << ", cell " << activation
        << (returnSequences ? ", every step" : ", last state");
  if (kind == Kind::Repeat) out << ", " << repeats << " times";
  if (mixesSteps()) {
    out << (kind == Kind::Conv ? ", kernel " : ", pool ") << window;
    if (stride != 1) out << ", stride " << stride;
    if (dilation != 1) out << ", dilation " << dilation;
    out << (padding == Padding::Valid ? ", valid" : padding == Padding::Same ? ", same" : ", causal");
  }
  if (kind == Kind::Dense || kind == Kind::Activation || kind == Kind::Conv) out << ", " << activation;
  out << ")";
  return out.str();
}

AffineMap composeAffine(const std::vector<StepLayer>& chain, long width) {
  AffineMap map{Eigen::MatrixXd::Identity(width, width), Eigen::VectorXd::Zero(width)};
  for (const StepLayer& s : chain) {
    if (s.kind == StepLayer::Kind::Affine) {
      map.A = s.scale.asDiagonal() * map.A;
      map.c = s.scale.cwiseProduct(map.c) + s.shift;
    } else if (s.kind == StepLayer::Kind::Dense) {
      map.A = s.weight * map.A;
      map.c = s.weight * map.c + s.bias;
    }  // a linear Activation is the identity
  }
  return map;
}

namespace {

// Whether the layer keeps its input's shape and can change it in place.
bool inPlace(const StepLayer& s) {
  return s.kind == StepLayer::Kind::Affine || s.kind == StepLayer::Kind::Activation ||
         s.kind == StepLayer::Kind::LayerNorm;
}

void applyInPlace(const StepLayer& s, Eigen::MatrixXd& x) {
  if (s.kind == StepLayer::Kind::Affine) {
    x = (s.scale.asDiagonal() * x).colwise() + s.shift;
  } else if (s.kind == StepLayer::Kind::Activation) {
    activateInPlace(s.activation, s.generation, x);
  } else {  // LayerNorm
    for (long j = 0; j < x.cols(); ++j) {
      auto col = x.col(j);
      const double mean = col.mean();
      const double var = (col.array() - mean).square().mean();
      col = (col.array() - mean) / std::sqrt(var + s.epsilon);
      if (s.scale.size()) col = col.cwiseProduct(s.scale);
      if (s.shift.size()) col += s.shift;
    }
  }
}

// A layer that makes a new matrix (another width or step count) from x.
Eigen::MatrixXd applyReshaping(const StepLayer& s, const Eigen::MatrixXd& x) {
  Eigen::MatrixXd y;
  switch (s.kind) {
    case StepLayer::Kind::Dense:
      y.noalias() = s.weight * x;
      y.colwise() += s.bias;
      activateInPlace(s.activation, s.generation, y);
      return y;
    case StepLayer::Kind::Conv:
      y = applyWindowLayer(s, x);
      activateInPlace(s.activation, s.generation, y);
      return y;
    case StepLayer::Kind::Lookup:
      return lookUp(s.weight, x);
    case StepLayer::Kind::Recurrent:
      return runEncoderLstm(s, x);
    case StepLayer::Kind::Repeat:
      return repeatStep(s, x);
    default:  // pooling
      return applyWindowLayer(s, x);
  }
}

}  // namespace

Eigen::MatrixXd applyStepLayers(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& input) {
  // The input is read, never copied, unless an in-place layer comes first: a long table is hundreds of MB.
  Eigen::MatrixXd x;
  const Eigen::MatrixXd* current = &input;
  for (const StepLayer& s : chain) {
    if (!inPlace(s)) {
      x = applyReshaping(s, *current);
    } else {
      if (current != &x) x = *current;
      applyInPlace(s, x);
    }
    current = &x;
  }
  return current == &input ? input : x;
}

Eigen::MatrixXd applyStepLayer(const StepLayer& s, const Eigen::MatrixXd& x) {
  if (!inPlace(s)) return applyReshaping(s, x);
  Eigen::MatrixXd y = x;
  applyInPlace(s, y);
  return y;
}

std::string describeStepLayers(const std::vector<StepLayer>& chain) {
  std::string out;
  for (const StepLayer& s : chain) out += (out.empty() ? "" : " → ") + s.describe();
  return out;
}

}  // namespace lstmscope
