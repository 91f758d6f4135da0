#include "core/formats/foreign/keras_step_layers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/common/error.h"

namespace lstmscope {

namespace {

using nlohmann::json;

Vec<double> vectorOf(const NamedTensor& t, const std::string& where) {
  if (t.shape.size() != 1) throw InputError(where, "holds " + t.name + " of shape " + t.shapeText() + ", not a vector");
  Vec<double> v(static_cast<long>(t.values.size()));
  for (long k = 0; k < v.size(); ++k) v[k] = t.values[static_cast<size_t>(k)];
  return v;
}

// Whether a layer's axis names the features: -1, or the last of `rank` axes; Keras 2 may store a list.
bool featuresAxis(const json& config, int rank) {
  if (!config.is_object() || !config.contains("axis")) return true;
  json axis = config["axis"];
  if (axis.is_array() && axis.size() == 1) axis = axis[0];
  return axis.is_number_integer() && (axis.get<int>() == -1 || axis.get<int>() == rank - 1);
}

// A weight's own name: the last part of its path without TensorFlow's ":0" ("bn/gamma:0" -> "gamma");
// Keras 1 joins it to the layer's name ("batchnormalization_1_gamma").
bool weightNamed(const std::string& path, const std::string& role) {
  std::string last = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  if (last.ends_with(":0")) last.resize(last.size() - 2);
  return last == role || last.ends_with("_" + role);
}

// A normalisation layer's weights by role: from their own names where the file gives them (gamma, beta,
// moving_mean, moving_variance; Keras 1 running_mean, running_std, the latter a variance since Keras 1.1),
// else in Keras' order, leaving out gamma without `scale` and beta without `center`.
std::map<std::string, const NamedTensor*> normalisationWeights(const KerasLayer& l, const json& config,
                                                               const std::vector<std::string>& roles) {
  std::map<std::string, const NamedTensor*> out;
  for (const NamedTensor& t : l.weights)
    for (const std::string& role : roles)
      if (weightNamed(t.name, role) || (role == "moving_mean" && weightNamed(t.name, "running_mean")) ||
          (role == "moving_variance" && weightNamed(t.name, "running_std")))
        out[role] = &t;
  if (out.size() == l.weights.size()) return out;
  out.clear();
  std::vector<std::string> present;
  for (const std::string& role : roles)
    if (!config.is_object() ||
        !((role == "gamma" && !config.value("scale", true)) || (role == "beta" && !config.value("center", true))))
      present.push_back(role);
  for (size_t k = 0; k < present.size() && k < l.weights.size(); ++k) out[present[k]] = &l.weights[k];
  return out;
}

StepLayer batchNormalization(StepLayer s, const KerasLayer& l, const json& config, const std::string& where) {
  const auto w = normalisationWeights(l, config, {"gamma", "beta", "moving_mean", "moving_variance"});
  if (!w.count("moving_mean") || !w.count("moving_variance") || w.size() != l.weights.size())
    throw InputError(where, "is a BatchNormalization whose " + std::to_string(l.weights.size()) +
                                " weights are not gamma, beta, moving mean and moving variance");
  // Keras 1's mode 1 normalises each sample over its features and mode 2 uses the batch's statistics even at
  // inference: neither is the moving-statistics map folded here.
  if (config.is_object() && config.contains("mode") && config["mode"] != 0)
    throw InputError(where, "is a Keras 1 BatchNormalization of mode " + config["mode"].dump() +
                                ", which does not use its moving statistics at inference; LSTMScope reads mode 0");
  s.epsilon = config.is_object() ? config.value("epsilon", 1e-3) : 1e-3;
  const Vec<double> mean = vectorOf(*w.at("moving_mean"), where), var = vectorOf(*w.at("moving_variance"), where);
  const long D = mean.size();
  const Vec<double> gamma = w.count("gamma") ? vectorOf(*w.at("gamma"), where) : Vec<double>::Ones(D);
  const Vec<double> beta = w.count("beta") ? vectorOf(*w.at("beta"), where) : Vec<double>::Zero(D);
  if (var.size() != D || gamma.size() != D || beta.size() != D)
    throw InputError(where, "is a BatchNormalization whose weights differ in length");
  if ((var.array() + s.epsilon <= 0).any())
    throw InputError(where, "is a BatchNormalization with a moving variance at or below -epsilon");
  s.scale = gamma.array() / (var.array() + s.epsilon).sqrt();
  s.shift = beta.array() - s.scale.array() * mean.array();
  return s;
}

StepLayer layerNormalization(StepLayer s, const KerasLayer& l, const json& config, const std::string& where) {
  if (config.is_object() && config.value("rms_scaling", false))
    throw InputError(where, "is a LayerNormalization with rms_scaling, which LSTMScope does not model");
  const auto w = normalisationWeights(l, config, {"gamma", "beta"});
  if (w.size() != l.weights.size())
    throw InputError(
        where, "is a LayerNormalization whose " + std::to_string(l.weights.size()) + " weights are not gamma and beta");
  s.kind = StepLayer::Kind::LayerNorm;
  s.epsilon = config.is_object() ? config.value("epsilon", 1e-3) : 1e-3;
  if (w.count("gamma")) s.scale = vectorOf(*w.at("gamma"), where);
  if (w.count("beta")) s.shift = vectorOf(*w.at("beta"), where);
  if (s.scale.size() && s.shift.size() && s.scale.size() != s.shift.size())
    throw InputError(where, "is a LayerNormalization whose gamma and beta differ in length");
  return s;
}

StepLayer dense(StepLayer s, const KerasLayer& l, const json& config, const std::string& where) {
  if (l.weights.empty() || l.weights.size() > 2 || l.weights[0].shape.size() != 2)
    throw InputError(where, "(Dense) does not hold a kernel and bias");
  const NamedTensor& k = l.weights[0];
  s.kind = StepLayer::Kind::Dense;
  s.weight = Eigen::Map<const Mat<float>>(k.values.data(), k.dim(1), k.dim(0)).cast<double>();  // (out, in)
  s.bias = l.weights.size() == 2 ? vectorOf(l.weights[1], where) : Vec<double>::Zero(k.dim(1));
  if (s.bias.size() != k.dim(1)) throw InputError(where, "(Dense) has a bias that does not match its kernel");
  s.activation = kerasActivationName(config, "activation", "linear");
  if (!isStepActivation(s.activation))
    throw InputError(where, "uses activation " + s.activation + ", which LSTMScope does not support");
  return s;
}

}  // namespace

bool isKerasStepLayerClass(const std::string& className) {
  return className == "BatchNormalization" || className == "LayerNormalization" || className == "Activation" ||
         className == "Softmax" || className == "ReLU";
}

StepLayer kerasStepLayer(const KerasLayer& l, const json& config, int generation, int rank, const std::string& where) {
  StepLayer s;
  s.name = l.name;
  s.className = l.className;
  s.generation = generation;
  if ((l.className == "BatchNormalization" || l.className == "LayerNormalization" || l.className == "Softmax") &&
      !featuresAxis(config, rank))
    throw InputError(where, "is a " + l.className + " over axis " + config["axis"].dump() +
                                "; LSTMScope reads it over the features (axis -1)");
  if (l.className == "BatchNormalization") return batchNormalization(s, l, config, where);
  if (l.className == "LayerNormalization") return layerNormalization(s, l, config, where);
  if (l.className == "Dense" || l.className == "TimeDistributed")
    return dense(s, l, config, where);  // (its Dense's config)
  s.kind = StepLayer::Kind::Activation;
  s.activation = l.className == "Softmax" ? "softmax"
                 : l.className == "ReLU"  ? "relu"
                                          : kerasActivationName(config, "activation", "linear");
  if (l.className == "ReLU" && config.is_object() &&
      (!config.value("max_value", json()).is_null() || config.value("negative_slope", 0.0) != 0.0 ||
       config.value("threshold", 0.0) != 0.0))
    throw InputError(where, "is a ReLU with a max value, slope or threshold, which LSTMScope does not model");
  if (!isStepActivation(s.activation))
    throw InputError(where, "uses activation " + s.activation + ", which LSTMScope does not support");
  return s;
}

void foldBefore(const AffineMap& map, Mat<float>& weight, Vec<float>& bias) {
  const Mat<double> w = weight.cast<double>();
  bias = (bias.cast<double>() + w * map.c).cast<float>();
  weight = (w * map.A).cast<float>();
}

void foldAfter(const AffineMap& map, DenseParams<float>& dense) {
  dense.bias = (map.A * dense.bias.cast<double>() + map.c).cast<float>();
  dense.weight = (map.A * dense.weight.cast<double>()).cast<float>();
}

void HeldStepLayers::hold(StepLayer layer, size_t firstRole, size_t endRole) {
  layers_.push_back(std::move(layer));
  roles_.emplace_back(firstRole, endRole);
}

std::string HeldStepLayers::subject() const {
  std::string out;
  for (const StepLayer& s : layers_) out += (out.empty() ? "" : ", ") + s.describe();
  return out + (layers_.size() > 1 ? " are" : " is");
}

bool HeldStepLayers::affineOnly() const {
  return std::all_of(layers_.begin(), layers_.end(), [](const StepLayer& s) { return s.affine(); });
}

long HeldStepLayers::outputWidth(long width, const std::string& source) const {
  for (const StepLayer& s : layers_) {
    if (s.inputWidth() >= 0 && s.inputWidth() != width)
      throw InputError(source, "layer " + s.describe() + " reads " + std::to_string(s.inputWidth()) +
                                   " values per step but receives " + std::to_string(width));
    width = s.outputWidth(width);
  }
  return width;
}

AffineMap HeldStepLayers::affine(std::optional<long> incoming, long expected, const std::string& into,
                                 const std::string& source) const {
  for (const StepLayer& s : layers_)
    if (!s.affine())
      throw InputError(source, "layer " + s.describe() + " acts on each step before " + into +
                                   "; LSTMScope folds only affine layers there (BatchNormalization, linear "
                                   "Dense), and any per-step layer after an Embedding");
  long width = incoming.value_or(expected);
  if (!incoming)  // what arrives is not known here: the first layer that has a width says
    for (const StepLayer& s : layers_)
      if (s.inputWidth() >= 0) {
        width = s.inputWidth();
        break;
      }
  if (const long out = outputWidth(width, source); out != expected)
    throw InputError(source, into + " reads " + std::to_string(expected) + " values per step but " +
                                 layers_.back().describe() + " gives " + std::to_string(out));
  return composeAffine(layers_, width);
}

void HeldStepLayers::settle(std::vector<TensorUse>& tensors, const std::string& into) {
  for (const auto& [first, end] : roles_)
    for (size_t t = first; t < end && t < tensors.size(); ++t) tensors[t].role = "folded into " + into;
  layers_.clear();
  roles_.clear();
}

}  // namespace lstmscope
