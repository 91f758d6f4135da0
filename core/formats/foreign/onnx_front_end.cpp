#include "core/formats/foreign/onnx_front_end.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/common/error.h"
#include "core/formats/foreign/onnx_eval/onnx_evaluator.h"
#include "core/formats/foreign/tensor_set.h"
#include "core/model/window_layers.h"

namespace lstmscope {

namespace {

using onnx_eval::Tensor;
enum class Axis { Batch, Time, Feature };
using Roles = std::vector<Axis>;  // what each axis of a rank-3 tensor holds

// Nodes that pass their input on unchanged at inference.
bool passesThrough(const std::string& op) {
  return op == "Identity" || op == "Dropout" || op == "Cast";
}
std::string shortNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

bool isActivation(const std::string& op) {
  return op == "Relu" || op == "Tanh" || op == "Sigmoid";
}

class FrontEndReader {
 public:
  FrontEndReader(const onnx::ModelProto& model, int firstLstm, const std::string& source)
      : graph_(model.graph()), firstLstm_(firstLstm), source_(source) {
    // Constants are converted when the chain reads them: a float16 head must not stop a graph that has
    // no front end at all (it opens as before).
    for (const auto& init : graph_.initializer()) protos_[init.name()] = &init;
    for (int k = 0; k < graph_.node_size(); ++k) {
      const auto& node = graph_.node(k);
      for (const auto& out : node.output()) producer_[out] = k;
      if (node.op_type() == "Constant" && node.output_size() == 1)
        for (const auto& a : node.attribute())
          if (a.name() == "value" && a.has_t()) protos_[node.output(0)] = &a.t();
    }
    for (const auto& o : model.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  }

  std::optional<OnnxFrontEnd> read() {
    const onnx::NodeProto& lstm = graph_.node(firstLstm_);
    x_ = lstm.input_size() ? lstm.input(0) : "";
    // X's axes: [T, B, D], or [B, T, D] with layout 1.
    Roles roles = {Axis::Time, Axis::Batch, Axis::Feature};
    for (const auto& a : lstm.attribute())
      if (a.name() == "layout" && a.i() == 1) roles = {Axis::Batch, Axis::Time, Axis::Feature};
    // The chain, from X back to the graph input.
    std::vector<int> chain;
    std::string tensor = x_;
    bool computes = false;
    while (!isGraphInput(tensor)) {
      const auto it = producer_.find(tensor);
      if (it == producer_.end() || protos_.count(tensor))
        throw InputError(source_, "the first LSTM reads '" + x_ + "', which the graph's input does not give");
      // A graph out of order (the LSTM reading its own output, a node computed later): the LSTM mapping
      // names it.
      if (it->second >= (chain.empty() ? firstLstm_ : chain.back())) return std::nullopt;
      const onnx::NodeProto& node = graph_.node(it->second);
      if (node.op_type() == "Gather") return std::nullopt;  // an embedding: the LSTM mapping reads it
      computes =
          computes || !(node.op_type() == "Transpose" || node.op_type() == "Pad" || node.op_type() == "Reshape" ||
                        node.op_type() == "Squeeze" || node.op_type() == "Unsqueeze" || passesThrough(node.op_type()));
      chain.push_back(it->second);
      tensor = dataInput(node);
    }
    if (!computes) return std::nullopt;
    input_ = tensor;
    std::reverse(chain.begin(), chain.end());
    // Roles back from X to the input (each node is checked to act on the axes it must), then the layers
    // forward.
    for (size_t k = chain.size(); k-- > 0;) roles = rolesBefore(graph_.node(chain[k]), roles);
    inputRoles_ = roles;
    OnnxFrontEnd out;
    for (size_t k = 0; k < chain.size(); ++k) {
      const onnx::NodeProto& node = graph_.node(chain[k]);
      addLayer(node, out.layers);
      out.nodes.insert(chain[k]);
      for (const auto& in : node.input())
        if (const Tensor* t = constant(in); t && node.op_type() != "Transpose" && node.op_type() != "Pad")
          out.tensors.emplace_back(in, NamedTensor{in, t->shape, {}}.shapeText());
    }
    out.rawFeatures = rawFeatures(out.layers);
    check(out);
    out.notes.push_back("front end: " + describeStepLayers(out.layers) + ", read from the graph's nodes before " +
                        "the first LSTM and checked against the graph itself (evaluated up to the LSTM's input, " +
                        "within 1e-6 in float64); the input '" + input_ + "' holds " + std::to_string(out.rawFeatures) +
                        " features per step, on its axis " + std::to_string(axisOf(Axis::Feature)) + " (time on axis " +
                        std::to_string(axisOf(Axis::Time)) + ")");
    return out;
  }

 private:
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& what) const {
    throw InputError(source_, "front end node " + (node.name().empty() ? node.op_type() : node.name()) + " (" +
                                  node.op_type() + ") " + what);
  }
  bool isGraphInput(const std::string& name) const {
    if (protos_.count(name)) return false;
    for (const auto& in : graph_.input())
      if (in.name() == name) return true;
    return false;
  }
  const Tensor* constant(const std::string& name) const {
    if (const auto done = constants_.find(name); done != constants_.end()) return &done->second;
    const auto it = protos_.find(name);
    if (it == protos_.end()) return nullptr;
    return &(constants_[name] = onnx_eval::tensorFromProto(*it->second, source_));
  }
  // The one input of `node` that is not a constant: the chain goes on through it.
  std::string dataInput(const onnx::NodeProto& node) const {
    std::string data;
    for (const auto& in : node.input())
      if (!in.empty() && !constant(in)) {
        if (!data.empty() && data != in) fail(node, "reads two computed tensors; a front end is a chain");
        data = in;
      }
    if (data.empty()) fail(node, "reads only constants");
    return data;
  }
  int64_t integer(const onnx::NodeProto& node, const std::string& name, int64_t fallback) const {
    for (const auto& a : node.attribute())
      if (a.name() == name) return a.i();
    return fallback;
  }
  std::vector<int64_t> integers(const onnx::NodeProto& node, const std::string& name) const {
    for (const auto& a : node.attribute())
      if (a.name() == name) return {a.ints().begin(), a.ints().end()};
    return {};
  }
  std::string text(const onnx::NodeProto& node, const std::string& name) const {
    for (const auto& a : node.attribute())
      if (a.name() == name) return a.s();
    return "";
  }
  int axisOf(Axis role) const {
    return static_cast<int>(std::find(inputRoles_.begin(), inputRoles_.end(), role) - inputRoles_.begin());
  }

  Roles rolesBefore(const onnx::NodeProto& node, const Roles& after) const {
    const std::string& op = node.op_type();
    if (op == "Transpose") {
      std::vector<int64_t> perm = integers(node, "perm");
      if (perm.empty()) perm = {2, 1, 0};  // ONNX's default: the axes reversed
      std::vector<int64_t> sorted = perm;
      std::sort(sorted.begin(), sorted.end());
      if (sorted != std::vector<int64_t>{0, 1, 2}) fail(node, "does not permute three axes");
      Roles in(3);
      for (size_t k = 0; k < 3; ++k) in[static_cast<size_t>(perm[k])] = after[k];
      return in;
    }
    const Roles channelsFirst = {Axis::Batch, Axis::Feature, Axis::Time};
    if (op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "BatchNormalization") {
      if (after != channelsFirst) fail(node, "does not work on [batch, features, time] here");
      return after;
    }
    if (isActivation(op) || passesThrough(op)) return after;
    if (op == "Pad") {  // torch.onnx.export writes one before every AvgPool1d, padding nothing by default
      const Tensor* pads = node.input_size() > 1 ? constant(node.input(1)) : nullptr;
      if (!pads) fail(node, "pads by amounts the graph computes");
      for (double v : pads->values)
        if (v != 0)
          fail(node,
               "pads the sequence with constants before a window layer, which LSTMScope's front ends do not "
               "model (they pad as TensorFlow does: valid or same)");
      return after;
    }
    if (op == "MatMul" || op == "Add") {
      if (after.back() != Axis::Feature) fail(node, "does not act on the features (the last axis) here");
      return after;
    }
    fail(node,
         "is not a front-end layer LSTMScope reads (Conv, MaxPool, AveragePool, BatchNormalization, "
         "MatMul + Add, Relu/Tanh/Sigmoid, Transpose)");
  }

  void addLayer(const onnx::NodeProto& node, std::vector<StepLayer>& layers) const {
    const std::string& op = node.op_type();
    StepLayer s;
    s.name = node.name().empty() ? op : node.name();
    s.className = op;
    if (op == "Transpose" || op == "Pad" || passesThrough(op)) return;  // Pad: nothing, checked above
    if (isActivation(op)) {
      std::string name = op == "Relu" ? "relu" : op == "Tanh" ? "tanh" : "sigmoid";
      // An activation after a convolution or a dense map is its own, as Keras' Conv1D(activation=…).
      if (!layers.empty() &&
          (layers.back().kind == StepLayer::Kind::Conv || layers.back().kind == StepLayer::Kind::Dense) &&
          layers.back().activation == "linear") {
        layers.back().activation = name;
        return;
      }
      s.kind = StepLayer::Kind::Activation, s.activation = name;
      return layers.push_back(std::move(s));
    }
    if (op == "Conv") return layers.push_back(conv(node));
    if (op == "MaxPool" || op == "AveragePool") return layers.push_back(pool(node));
    if (op == "BatchNormalization") return layers.push_back(batchNorm(node));
    if (op == "MatMul") {
      const Tensor* w = constant(node.input(1));
      if (!w || w->rank() != 2 || node.input(0) != dataInput(node))
        fail(node, "does not multiply by a constant matrix on the right");
      s.kind = StepLayer::Kind::Dense, s.activation = "linear";
      s.weight.resize(w->shape[1], w->shape[0]);  // ours (out, in) = ONNX's (in, out) transposed
      for (int64_t i = 0; i < w->shape[0]; ++i)
        for (int64_t o = 0; o < w->shape[1]; ++o) s.weight(o, i) = w->values[static_cast<size_t>(i * w->shape[1] + o)];
      s.bias = Eigen::VectorXd::Zero(w->shape[1]);
      return layers.push_back(std::move(s));
    }
    if (op == "Add") {
      const Tensor* b = constant(node.input(0) == dataInput(node) ? node.input(1) : node.input(0));
      if (!b || layers.empty() || layers.back().kind != StepLayer::Kind::Dense ||
          layers.back().activation != "linear" || b->count() != layers.back().bias.size())
        fail(node, "is not the bias of a MatMul before it");
      for (long k = 0; k < layers.back().bias.size(); ++k) layers.back().bias(k) += b->values[static_cast<size_t>(k)];
      return;
    }
  }

  // Window layers: strides and dilations as given; padding valid or, for stride 1, symmetric pads of
  // the dilated window's half (TensorFlow's "same", which StepLayer models).
  void readWindow(const onnx::NodeProto& node, long window, StepLayer& s) const {
    const std::vector<int64_t> strides = integers(node, "strides"), dilations = integers(node, "dilations");
    const std::vector<int64_t> pads = integers(node, "pads");
    // The ranges validateFrontEnd allows, checked before the layers run in check() below.
    constexpr int64_t kMost = 1 << 16;
    const auto inRange = [&](const std::vector<int64_t>& v) {
      return std::all_of(v.begin(), v.end(), [&](int64_t x) { return x >= 1 && x <= kMost; });
    };
    if (window < 1 || window > kMost || !inRange(strides) || !inRange(dilations))
      fail(node, "has a window, stride or dilation outside 1 to 65536");
    if (strides.size() > 1 || dilations.size() > 1 || (!pads.empty() && pads.size() != 2))
      fail(node, "is not one-dimensional");
    s.window = static_cast<int>(window);
    s.stride = strides.empty() ? 1 : static_cast<int>(strides[0]);
    s.dilation = dilations.empty() ? 1 : static_cast<int>(dilations[0]);
    const std::string autoPad = text(node, "auto_pad");
    const long total = static_cast<long>(s.window - 1) * s.dilation;
    if (autoPad == "VALID" ||
        ((autoPad.empty() || autoPad == "NOTSET") && (pads.empty() || (pads[0] == 0 && pads[1] == 0))))
      s.padding = StepLayer::Padding::Valid;
    else if (autoPad == "SAME_UPPER" ||
             (s.stride == 1 && pads.size() == 2 && pads[0] == total / 2 && pads[1] == total - total / 2))
      s.padding = StepLayer::Padding::Same;
    else
      fail(node, "pads the time axis in a way LSTMScope's front ends do not model (auto_pad " +
                     (autoPad.empty() ? std::string("NOTSET") : autoPad) + ", pads " +
                     (pads.size() == 2 ? std::to_string(pads[0]) + " and " + std::to_string(pads[1]) : "none") +
                     ", stride " + std::to_string(s.stride) +
                     "): only no padding, or stride 1 with the window's half on each side");
    if (integer(node, "ceil_mode", 0) != 0) fail(node, "rounds its output length up (ceil_mode)");
  }

  StepLayer conv(const onnx::NodeProto& node) const {
    const Tensor* w = node.input_size() > 1 ? constant(node.input(1)) : nullptr;
    if (!w || w->rank() != 3 || w->count() == 0)
      fail(node, "does not have a constant [filters, channels, window] weight");
    if (integer(node, "group", 1) != 1) fail(node, "is a grouped convolution");
    StepLayer s;
    s.name = node.name().empty() ? "Conv" : node.name();
    s.className = "Conv";
    s.kind = StepLayer::Kind::Conv;
    s.activation = "linear";
    readWindow(node, w->shape[2], s);
    const int64_t filters = w->shape[0], in = w->shape[1], window = w->shape[2];
    s.weight.resize(filters, window * in);  // column j·in + i is tap j of input feature i
    for (int64_t o = 0; o < filters; ++o)
      for (int64_t i = 0; i < in; ++i)
        for (int64_t j = 0; j < window; ++j)
          s.weight(o, j * in + i) = w->values[static_cast<size_t>((o * in + i) * window + j)];
    s.bias = Eigen::VectorXd::Zero(filters);
    if (node.input_size() > 2 && !node.input(2).empty()) {
      const Tensor* b = constant(node.input(2));
      if (!b || b->count() != filters) fail(node, "does not have a constant bias of one value per filter");
      for (int64_t o = 0; o < filters; ++o) s.bias(o) = b->values[static_cast<size_t>(o)];
    }
    return s;
  }

  StepLayer pool(const onnx::NodeProto& node) const {
    const std::vector<int64_t> kernel = integers(node, "kernel_shape");
    if (kernel.size() != 1) fail(node, "is not a one-dimensional pooling");
    if (node.output_size() > 1) fail(node, "also returns the maxima's indices");
    StepLayer s;
    s.name = node.name().empty() ? node.op_type() : node.name();
    s.className = node.op_type();
    s.kind = node.op_type() == "MaxPool" ? StepLayer::Kind::MaxPool : StepLayer::Kind::AveragePool;
    readWindow(node, static_cast<long>(kernel[0]), s);
    if (s.dilation != 1) fail(node, "pools with a dilation");
    if (s.kind == StepLayer::Kind::AveragePool && s.padding != StepLayer::Padding::Valid &&
        integer(node, "count_include_pad", 0) != 0)
      fail(node, "counts the padding in its averages (count_include_pad)");
    return s;
  }

  StepLayer batchNorm(const onnx::NodeProto& node) const {
    std::vector<const Tensor*> stats;
    for (int k = 1; k <= 4; ++k) {
      const Tensor* t = node.input_size() > k ? constant(node.input(k)) : nullptr;
      if (!t) fail(node, "does not have constant scale, bias, mean and variance");
      stats.push_back(t);
    }
    const double epsilon = [&] {
      for (const auto& a : node.attribute())
        if (a.name() == "epsilon") return static_cast<double>(a.f());
      return 1e-5;
    }();
    StepLayer s;
    s.name = node.name().empty() ? "BatchNormalization" : node.name();
    s.className = "BatchNormalization";
    s.kind = StepLayer::Kind::Affine;
    s.epsilon = epsilon;
    const long n = stats[0]->count();
    for (const Tensor* t : stats)
      if (t->count() != n) fail(node, "has scale, bias, mean and variance of different lengths");
    s.scale.resize(n), s.shift.resize(n);
    for (long c = 0; c < n; ++c) {
      const auto k = static_cast<size_t>(c);
      s.scale(c) = stats[0]->values[k] / std::sqrt(stats[3]->values[k] + epsilon);
      s.shift(c) = stats[1]->values[k] - stats[2]->values[k] * s.scale(c);
    }
    return s;
  }

  long rawFeatures(const std::vector<StepLayer>& layers) const {
    for (const auto& in : graph_.input())
      if (in.name() == input_) {
        const auto& dims = in.type().tensor_type().shape().dim();
        const int axis = axisOf(Axis::Feature);
        if (axis < dims.size() && dims[axis].has_dim_value() && dims[axis].dim_value() > 0) {
          if (dims[axis].dim_value() > (1 << 16))
            throw InputError(source_, "the graph's input '" + input_ + "' declares more than 65536 features");
          return dims[axis].dim_value();
        }
      }
    for (const StepLayer& s : layers)
      if (s.inputWidth() >= 0) return s.inputWidth();
    throw InputError(source_, "the graph's input '" + input_ + "' does not say how many features a step holds");
  }

  // The graph itself, evaluated up to X, against the StepLayers, on two input lengths.
  void check(const OnnxFrontEnd& fe) const {
    const onnx_eval::GraphEvaluator evaluator(graph_, opset_, source_);
    // Lengths that give several steps (a stride misread shows only once windows repeat), plus an odd
    // remainder so that a padding rule that differs at the end shows too.
    const long three = rowsGivingSteps(fe.layers, 3).first, nine = rowsGivingSteps(fe.layers, 9).first;
    if (three <= 0 || nine <= 0 || nine > (1L << 20) || nine * fe.rawFeatures > (1L << 24))
      throw InputError(source_, "the front end read from the graph (" + describeStepLayers(fe.layers) +
                                    ") needs too many rows to check against the graph");
    for (const long rows : {three + 1, nine + 2}) {
      Eigen::MatrixXd raw(fe.rawFeatures, rows);
      for (long t = 0; t < rows; ++t)
        for (long f = 0; f < fe.rawFeatures; ++f)
          raw(f, t) = std::sin(0.37 * static_cast<double>(t * fe.rawFeatures + f) + 0.1);
      Tensor input{onnx_eval::ElementType::Float64, onnx_eval::Shape(3, 1), {}};
      input.shape[static_cast<size_t>(axisOf(Axis::Time))] = rows;
      input.shape[static_cast<size_t>(axisOf(Axis::Feature))] = fe.rawFeatures;
      input.values.resize(static_cast<size_t>(rows * fe.rawFeatures));
      const std::vector<int64_t> strides = onnx_eval::stridesOf(input.shape);
      for (long t = 0; t < rows; ++t)
        for (long f = 0; f < fe.rawFeatures; ++f)
          input.values[static_cast<size_t>(t * strides[static_cast<size_t>(axisOf(Axis::Time))] +
                                           f * strides[static_cast<size_t>(axisOf(Axis::Feature))])] = raw(f, t);
      const Tensor x = evaluator.run({{input_, input}}, {x_}).at(x_);
      const Eigen::MatrixXd mine = applyStepLayers(fe.layers, raw);
      // X is [T, B, D] or [B, T, D]; B is 1.
      const bool batchFirst = x.rank() == 3 && x.shape[0] == 1 && x.shape[1] != 1;
      const long steps = x.rank() == 3 ? (batchFirst ? x.shape[1] : x.shape[0]) : -1;
      if (steps != mine.cols() || x.rank() != 3 || x.shape[2] != mine.rows())
        throw InputError(source_, "the front end read from the graph gives " + std::to_string(mine.rows()) + " × " +
                                      std::to_string(mine.cols()) + " features for " + std::to_string(rows) +
                                      " rows, but the graph gives " + onnx_eval::shapeText(x.shape));
      double worst = 0;
      for (long t = 0; t < steps; ++t)
        for (long d = 0; d < mine.rows(); ++d) {
          const double v = x.values[static_cast<size_t>(t * mine.rows() + d)];
          worst = std::max(worst, std::abs(v - mine(d, t)) / (1 + std::abs(v)));
        }
      // 1e-6: a misreading is off by far more; a Cast to float32 in the graph by float32's rounding.
      if (!(worst <= 1e-6))
        throw InputError(source_, "the front end read from the graph (" + describeStepLayers(fe.layers) +
                                      ") differs from the graph itself by " + shortNumber(worst) + " on " +
                                      std::to_string(rows) + " rows; it is not opened rather than computed wrongly");
    }
  }

  const onnx::GraphProto& graph_;
  int firstLstm_;
  std::string source_;
  int64_t opset_ = 0;
  std::map<std::string, const onnx::TensorProto*> protos_;  // initializers and Constant nodes' values
  mutable std::map<std::string, Tensor> constants_;         // those converted so far
  std::map<std::string, int> producer_;
  std::string x_, input_;
  Roles inputRoles_;
};

}  // namespace

std::optional<OnnxFrontEnd> readOnnxFrontEnd(const onnx::ModelProto& model, int firstLstm, const std::string& source) {
  return FrontEndReader(model, firstLstm, source).read();
}

}  // namespace lstmscope
