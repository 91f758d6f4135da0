#include "core/model/step_layers_backward.h"

#include <cmath>

#include "core/model/encoder_lstm.h"
#include "core/model/step_activations.h"
#include "core/model/window_layers.h"

namespace lstmscope {

namespace {

// d score / d z from d score / d act(z) (g), z the pre-activations (features × steps).
Eigen::MatrixXd activationBackward(const std::string& a, int generation, const Eigen::MatrixXd& z,
                                   const Eigen::MatrixXd& g) {
  if (a == "softmax") {  // over each step's features: y ∘ (g − yᵀg)
    Eigen::MatrixXd out(z.rows(), z.cols());
    for (long t = 0; t < z.cols(); ++t) {
      Eigen::VectorXd y = (z.col(t).array() - z.col(t).maxCoeff()).exp();
      y /= y.sum();
      out.col(t) = y.array() * (g.col(t).array() - y.dot(g.col(t)));
    }
    return out;
  }
  const StepActivationFunction slope = stepActivationDerivative(a);
  if (!slope) return g;  // linear
  const bool keras3 = generation >= 3;
  Eigen::MatrixXd out(z.rows(), z.cols());
  for (long k = 0; k < z.size(); ++k) out(k) = g(k) * slope(z(k), keras3);
  return out;
}

// Each step's x̂ = (x − mean) / sqrt(var + ε), y = γ ∘ x̂ + β: dx = (gx̂ − mean(gx̂) − x̂ · mean(gx̂ ∘ x̂)) / σ.
Eigen::MatrixXd layerNormBackward(const StepLayer& s, const Eigen::MatrixXd& x, const Eigen::MatrixXd& g) {
  Eigen::MatrixXd out(x.rows(), x.cols());
  for (long t = 0; t < x.cols(); ++t) {
    const double mean = x.col(t).mean();
    const double sigma = std::sqrt((x.col(t).array() - mean).square().mean() + s.epsilon);
    const Eigen::VectorXd normed = (x.col(t).array() - mean) / sigma;
    const Eigen::VectorXd gNormed = s.scale.size() ? Eigen::VectorXd(g.col(t).cwiseProduct(s.scale)) : g.col(t);
    out.col(t) = (gNormed.array() - gNormed.mean() - normed.array() * gNormed.dot(normed) / double(x.rows())) / sigma;
  }
  return out;
}

Eigen::MatrixXd layerBackward(const StepLayer& s, const Eigen::MatrixXd& x, const Eigen::MatrixXd& g) {
  switch (s.kind) {
    case StepLayer::Kind::Affine:
      return s.scale.asDiagonal() * g;
    case StepLayer::Kind::Activation:
      return activationBackward(s.activation, s.generation, x, g);
    case StepLayer::Kind::LayerNorm:
      return layerNormBackward(s, x, g);
    case StepLayer::Kind::Dense: {
      Eigen::MatrixXd z = s.weight * x;
      z.colwise() += s.bias;
      return s.weight.transpose() * activationBackward(s.activation, s.generation, z, g);
    }
    case StepLayer::Kind::Conv:
      return windowLayerBackward(s, x, activationBackward(s.activation, s.generation, applyWindowLayer(s, x), g));
    case StepLayer::Kind::MaxPool:
    case StepLayer::Kind::AveragePool:
      return windowLayerBackward(s, x, g);
    case StepLayer::Kind::Recurrent: {
      EncoderTape tape;
      runEncoderLstm(s, x, &tape);
      return encoderLstmBackward(s, x, tape, g);
    }
    case StepLayer::Kind::Repeat:  // every repeat of the one step adds to its gradient
      return x.cols() == 0 ? Eigen::MatrixXd(x.rows(), 0) : Eigen::MatrixXd(g.rowwise().sum());
    case StepLayer::Kind::Lookup:
      break;  // stepLayersBackward stops before it
  }
  return g;
}

}  // namespace

std::vector<Eigen::MatrixXd> stepLayerInputs(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& input) {
  std::vector<Eigen::MatrixXd> inputs{input};
  inputs.reserve(chain.size() + 1);
  for (const StepLayer& s : chain) inputs.push_back(applyStepLayer(s, inputs.back()));
  return inputs;
}

Eigen::MatrixXd stepLayersBackward(const std::vector<StepLayer>& chain, const std::vector<Eigen::MatrixXd>& inputs,
                                   const Eigen::MatrixXd& gradOutput) {
  Eigen::MatrixXd g = gradOutput;
  for (size_t k = chain.size(); k-- > 0;) {
    if (chain[k].kind == StepLayer::Kind::Lookup) break;  // the gradient of its output vectors
    g = layerBackward(chain[k], inputs[k], g);
  }
  return g;
}

}  // namespace lstmscope
