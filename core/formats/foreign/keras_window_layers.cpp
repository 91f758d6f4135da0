#include "core/formats/foreign/keras_window_layers.h"

#include "core/common/error.h"

namespace lstmscope {

namespace {

using nlohmann::json;

bool isConvolution(const std::string& c) {
  return c == "Conv1D" || c == "Convolution1D";
}

// A 1-D size option: Keras 2 and 3 store a one-element list ([3]), an int is accepted too; null or absent is
// `fallback`.
int sizeOption(const json& config, const char* key, int fallback, const std::string& where) {
  json v = config.value(key, json());
  if (v.is_null()) return fallback;
  if (v.is_array() && v.size() == 1) v = v[0];
  if (!v.is_number_integer() || v.get<long>() < 1 || v.get<long>() > (1 << 16))
    throw InputError(where, "has " + std::string(key) + " " + config[key].dump() +
                                ", which is not one whole number from 1 to 65536");
  return v.get<int>();
}

StepLayer::Padding paddingOf(const json& config, bool convolution, const std::string& where) {
  const std::string p = config.value("padding", std::string("valid"));
  if (p == "valid") return StepLayer::Padding::Valid;
  if (p == "same") return StepLayer::Padding::Same;
  if (p == "causal" && convolution) return StepLayer::Padding::Causal;
  throw InputError(
      where, "pads with '" + p + "', which LSTMScope does not model (valid, same" + (convolution ? ", causal)" : ")"));
}

void convolution(StepLayer& s, const KerasLayer& l, const json& config, const std::string& where) {
  s.kind = StepLayer::Kind::Conv;
  if (config.value("groups", 1) != 1)
    throw InputError(
        where, "is a grouped convolution (groups " + config["groups"].dump() + "), which LSTMScope does not model");
  s.window = sizeOption(config, "kernel_size", 0, where);
  if (s.window == 0) throw InputError(where, "is a Conv1D whose config gives no kernel_size");
  s.dilation = sizeOption(config, "dilation_rate", 1, where);
  s.activation = kerasActivationName(config, "activation", "linear");
  if (!isStepActivation(s.activation))
    throw InputError(where, "uses activation " + s.activation + ", which LSTMScope does not support");
  const bool useBias = config.value("use_bias", true);
  if (l.weights.size() != (useBias ? 2u : 1u) || l.weights[0].shape.size() != 3)
    throw InputError(where, std::string("(Conv1D) does not hold a (kernel_size, in, filters) kernel") +
                                (useBias ? " and a bias" : ""));
  const NamedTensor& k = l.weights[0];
  if (k.dim(0) != s.window)
    throw InputError(where, "has a kernel of shape " + k.shapeText() + " but kernel_size " + std::to_string(s.window));
  if (config.contains("filters") &&
      !(config["filters"].is_number_integer() && config["filters"].get<long>() == k.dim(2)))
    throw InputError(where, "has a kernel of shape " + k.shapeText() + " but filters " + config["filters"].dump());
  // Kernel [j][i][o] in C order is column j·in + i of an (out, window × in) column-major matrix.
  s.weight = Eigen::Map<const Eigen::MatrixXf>(k.values.data(), k.dim(2), k.dim(0) * k.dim(1)).cast<double>();
  if (useBias) {
    const NamedTensor& b = l.weights[1];
    if (b.shape.size() != 1 || b.dim(0) != k.dim(2))
      throw InputError(where, "has a bias of shape " + b.shapeText() + " for " + std::to_string(k.dim(2)) + " filters");
    s.bias = Eigen::Map<const Eigen::VectorXf>(b.values.data(), b.dim(0)).cast<double>();
  }
}

}  // namespace

bool isKerasWindowLayerClass(const std::string& c) {
  return isConvolution(c) || c == "MaxPooling1D" || c == "MaxPool1D" || c == "AveragePooling1D" || c == "AvgPool1D";
}

StepLayer kerasWindowLayer(const KerasLayer& l, const json& config, int generation, const std::string& where) {
  if (!config.is_object())
    throw InputError(where, "is a " + l.className +
                                ": its window, stride and padding are not in a weights-only file; open the "
                                "whole model (model.save) instead");
  if (config.contains("filter_length") || config.contains("pool_length") || config.contains("border_mode"))
    throw InputError(where, "is a Keras 1 " + l.className + ", which LSTMScope does not read");
  if (config.value("data_format", std::string("channels_last")) != "channels_last")
    throw InputError(where, "reads data_format " + config["data_format"].dump() +
                                "; LSTMScope reads steps along axis 1 (channels_last)");
  StepLayer s;
  s.name = l.name;
  s.className = l.className;
  s.generation = generation;
  const bool conv = isConvolution(l.className);
  s.padding = paddingOf(config, conv, where);
  if (conv) {
    convolution(s, l, config, where);
    s.stride = sizeOption(config, "strides", 1, where);
    if (s.stride > 1 && s.dilation > 1)
      throw InputError(where, "has both strides and dilation_rate above 1, which Keras does not allow");
    return s;
  }
  if (!l.weights.empty()) throw InputError(where, "is a pooling layer that holds weights");
  s.kind = l.className.starts_with("Max") ? StepLayer::Kind::MaxPool : StepLayer::Kind::AveragePool;
  s.window = sizeOption(config, "pool_size", 2, where);
  s.stride = sizeOption(config, "strides", s.window, where);  // None: the pool size
  return s;
}

}  // namespace lstmscope
