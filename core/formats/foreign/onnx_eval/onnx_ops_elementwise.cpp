// Element-wise operators: arithmetic with numpy broadcasting, activations, Clip, Cast and the
// comparisons a graph uses to choose an If branch.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>

#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

namespace {

using Unary = double (*)(double);

Operator unary(Unary f) {
  return [f](const NodeArgs& args) {
    Tensor out = args.input(0);
    for (double& v : out.values) v = f(v);
    out.roundToType();
    return std::vector<Tensor>{std::move(out)};
  };
}

// A binary operator; its result has the left input's type (widened to float64 when the right one is),
// or is bool when `boolResult`.
template <class F>
Operator binary(F f, bool boolResult = false) {
  return [f, boolResult](const NodeArgs& args) {
    const Tensor &a = args.input(0), &b = args.input(1);
    if (isFloating(a.type) != isFloating(b.type) && args.op() != "Pow")
      args.fail(std::string("its inputs are ") + elementTypeName(a.type) + " and " + elementTypeName(b.type) +
                "; ONNX needs one type");
    Tensor out;
    // float64 if either float input is (a float32 constant beside float64 input computes in float64).
    out.type = boolResult                                             ? ElementType::Bool
               : isFloating(a.type) && b.type == ElementType::Float64 ? ElementType::Float64
                                                                      : a.type;
    out.shape = broadcastShape(args, a.shape, b.shape);
    const std::vector<int64_t> ia = broadcastSources(a.shape, out.shape), ib = broadcastSources(b.shape, out.shape);
    out.values.resize(ia.size());
    for (size_t k = 0; k < ia.size(); ++k)
      out.values[k] = f(a.values[static_cast<size_t>(ia[k])], b.values[static_cast<size_t>(ib[k])], a.type);
    out.roundToType();
    return std::vector<Tensor>{std::move(out)};
  };
}

double divide(double x, double y, ElementType type) {
  if (isFloating(type)) return x / y;
  if (y == 0) return 0;  // integer division by zero is undefined in ONNX; never a crash here
  return std::trunc(x / y);
}

double sigmoid(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

std::vector<Tensor> leakyRelu(const NodeArgs& args) {
  const double alpha = args.real("alpha", 0.01);
  Tensor out = args.floating(0);
  for (double& v : out.values) v = v < 0 ? alpha * v : v;
  out.roundToType();
  return {std::move(out)};
}

std::vector<Tensor> clip(const NodeArgs& args) {
  Tensor out = args.input(0);
  double low = -INFINITY, high = INFINITY;
  if (args.opset() < 11) {
    low = args.real("min", low), high = args.real("max", high);
  } else {
    const auto bound = [&](size_t k, double fallback) {
      if (!args.has(k)) return fallback;
      const Tensor& t = args.input(k);
      if (t.count() != 1) args.fail("its bound (input " + std::to_string(k) + ") is not a scalar");
      return t.values[0];
    };
    low = bound(1, low), high = bound(2, high);
  }
  for (double& v : out.values) v = std::min(std::max(v, low), high);
  out.roundToType();
  return {std::move(out)};
}

std::vector<Tensor> cast(const NodeArgs& args) {
  Tensor out = args.input(0);
  const auto to = static_cast<int>(args.integer("to", -1));
  const std::optional<ElementType> type = elementTypeOfOnnx(to);
  if (!type) {
    const std::string name = onnx::TensorProto::DataType_IsValid(to)
                                 ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(to))
                                 : std::to_string(to);
    args.fail("casts to element type " + name +
              ", which the evaluator does not compute with (float32, float64, int64, int32, bool)");
  }
  out.type = *type;
  out.roundToType();
  return {std::move(out)};
}

std::vector<Tensor> identity(const NodeArgs& args) {
  return {args.input(0)};
}

// At inference Dropout passes its input through; its optional mask output is all true.
std::vector<Tensor> dropout(const NodeArgs& args) {
  if (args.has(2) && args.input(2).count() == 1 && args.input(2).values[0] != 0)
    args.fail("runs in training mode (training_mode is true), which is random; export the model for inference");
  Tensor mask = Tensor::filled(ElementType::Bool, args.input(0).shape, 1);
  return {args.input(0), std::move(mask)};
}

std::vector<Tensor> logicalNot(const NodeArgs& args) {
  Tensor out = args.input(0);
  out.type = ElementType::Bool;
  for (double& v : out.values) v = v == 0 ? 1 : 0;
  return {std::move(out)};
}

}  // namespace

void addElementwiseOperators(OperatorTable& table) {
  table["Add"] = binary([](double x, double y, ElementType) { return x + y; });
  table["Sub"] = binary([](double x, double y, ElementType) { return x - y; });
  table["Mul"] = binary([](double x, double y, ElementType) { return x * y; });
  table["Div"] = binary(divide);
  table["Pow"] = binary([](double x, double y, ElementType) { return std::pow(x, y); });
  table["Equal"] = binary([](double x, double y, ElementType) { return x == y ? 1.0 : 0.0; }, true);
  table["Greater"] = binary([](double x, double y, ElementType) { return x > y ? 1.0 : 0.0; }, true);
  table["GreaterOrEqual"] = binary([](double x, double y, ElementType) { return x >= y ? 1.0 : 0.0; }, true);
  table["Less"] = binary([](double x, double y, ElementType) { return x < y ? 1.0 : 0.0; }, true);
  table["LessOrEqual"] = binary([](double x, double y, ElementType) { return x <= y ? 1.0 : 0.0; }, true);
  table["And"] = binary([](double x, double y, ElementType) { return x != 0 && y != 0 ? 1.0 : 0.0; }, true);
  table["Or"] = binary([](double x, double y, ElementType) { return x != 0 || y != 0 ? 1.0 : 0.0; }, true);
  table["Not"] = logicalNot;
  table["Sqrt"] = unary([](double x) { return std::sqrt(x); });
  table["Abs"] = unary([](double x) { return std::abs(x); });
  table["Neg"] = unary([](double x) { return -x; });
  table["Exp"] = unary([](double x) { return std::exp(x); });
  table["Log"] = unary([](double x) { return std::log(x); });
  table["Relu"] = unary([](double x) { return x > 0 ? x : 0.0; });
  table["Sigmoid"] = unary(sigmoid);
  table["Tanh"] = unary([](double x) { return std::tanh(x); });
  table["LeakyRelu"] = leakyRelu;
  table["Clip"] = clip;
  table["Cast"] = cast;
  table["Identity"] = identity;
  table["Dropout"] = dropout;
}

}  // namespace lstmscope::onnx_eval
