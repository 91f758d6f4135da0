// Operators that combine many values into one: matrix products, softmax, normalisation and reductions.
#include <algorithm>
#include <cmath>

#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

namespace {

// The float type two float inputs compute in: float64 if either is (the evaluator widens a float32
// initializer read with float64 inputs, so that a graph fed float64 computes in float64).
ElementType floatResult(const Tensor& a, const Tensor& b) {
  return a.type == ElementType::Float64 || b.type == ElementType::Float64 ? ElementType::Float64 : ElementType::Float32;
}

// numpy.matmul: vectors are promoted to matrices and the promoted axis dropped again; the leading
// (batch) axes broadcast.
std::vector<Tensor> matMul(const NodeArgs& args) {
  const Tensor &a = args.floating(0), &b = args.floating(1);
  if (a.rank() == 0 || b.rank() == 0) args.fail("multiplies a scalar");
  Shape sa = a.shape, sb = b.shape;
  if (a.rank() == 1) sa.insert(sa.begin(), 1);
  if (b.rank() == 1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  if (sb[sb.size() - 2] != k) args.fail("cannot multiply " + shapeText(a.shape) + " by " + shapeText(b.shape));
  const Shape batchA(sa.begin(), sa.end() - 2), batchB(sb.begin(), sb.end() - 2);
  const Shape batch = broadcastShape(args, batchA, batchB);
  const std::vector<int64_t> fromA = broadcastSources(batchA, batch), fromB = broadcastSources(batchB, batch);
  requireWorkWithinBudget(args, static_cast<double>(elementCount(batch)) * static_cast<double>(m) *
                                    static_cast<double>(k) * static_cast<double>(n));
  Shape shape = batch;
  if (a.rank() > 1) shape.push_back(m);
  if (b.rank() > 1) shape.push_back(n);
  (void)elementCount(shape);  // refused when too large, before anything is allocated
  Tensor out{floatResult(a, b), shape, std::vector<double>(static_cast<size_t>(elementCount(batch) * m * n), 0.0)};
  for (size_t p = 0; p < fromA.size(); ++p) {
    const double* pa = a.values.data() + fromA[p] * m * k;
    const double* pb = b.values.data() + fromB[p] * k * n;
    double* po = out.values.data() + static_cast<int64_t>(p) * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j) {
        const double x = pa[i * k + j];
        for (int64_t c = 0; c < n; ++c) po[i * n + c] += x * pb[j * n + c];
      }
  }
  out.roundToType();
  return {std::move(out)};
}

std::vector<Tensor> gemm(const NodeArgs& args) {
  const Tensor &a = args.floating(0), &b = args.floating(1);
  if (a.rank() != 2 || b.rank() != 2) args.fail("its A and B are not matrices");
  const bool ta = args.integer("transA", 0) != 0, tb = args.integer("transB", 0) != 0;
  const double alpha = args.real("alpha", 1), beta = args.real("beta", 1);
  const int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  const int64_t kb = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1];
  if (k != kb) args.fail("cannot multiply " + shapeText(a.shape) + " by " + shapeText(b.shape) + " as transposed");
  requireWorkWithinBudget(args, static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(n));
  (void)elementCount({m, n});  // refused when too large, before anything is allocated
  Tensor out{floatResult(a, b), {m, n}, std::vector<double>(static_cast<size_t>(m * n), 0.0)};
  for (int64_t i = 0; i < m; ++i)
    for (int64_t c = 0; c < n; ++c) {
      double sum = 0;
      for (int64_t j = 0; j < k; ++j)
        sum += a.values[static_cast<size_t>(ta ? j * m + i : i * k + j)] *
               b.values[static_cast<size_t>(tb ? c * k + j : j * n + c)];
      out.values[static_cast<size_t>(i * n + c)] = alpha * sum;
    }
  if (args.has(2)) {
    const Tensor& bias = args.input(2);
    const Shape shape = broadcastShape(args, bias.shape, out.shape);
    if (shape != out.shape)
      args.fail("its C " + shapeText(bias.shape) + " does not broadcast to " + shapeText(out.shape));
    const std::vector<int64_t> from = broadcastSources(bias.shape, out.shape);
    for (size_t q = 0; q < from.size(); ++q) out.values[q] += beta * bias.values[static_cast<size_t>(from[q])];
  }
  out.roundToType();
  return {std::move(out)};
}

// Softmax over `axis` (opset 13 on) or, before, over the input flattened to 2-D at `axis` (default 1).
std::vector<Tensor> softmax(const NodeArgs& args, bool logarithm) {
  Tensor out = args.floating(0);
  const bool coerced = args.opset() < 13;
  const int axis = args.axis(args.integer("axis", coerced ? 1 : -1), out.rank());
  int64_t outer = 1, length = 1, inner = 1;
  for (int k = 0; k < out.rank(); ++k) {
    const int64_t d = out.shape[static_cast<size_t>(k)];
    if (k < axis)
      outer *= d;
    else if (coerced || k == axis)
      length *= d;
    else
      inner *= d;
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double* base = out.values.data() + o * length * inner + i;
      double top = -INFINITY, sum = 0;
      for (int64_t j = 0; j < length; ++j) top = std::max(top, base[j * inner]);
      for (int64_t j = 0; j < length; ++j) sum += std::exp(base[j * inner] - top);
      for (int64_t j = 0; j < length; ++j)
        base[j * inner] = logarithm ? base[j * inner] - top - std::log(sum) : std::exp(base[j * inner] - top) / sum;
    }
  out.roundToType();
  return {std::move(out)};
}

// Inference: y = scale (x − mean) / sqrt(var + epsilon) + B per channel (axis 1).
std::vector<Tensor> batchNormalization(const NodeArgs& args) {
  if (args.integer("training_mode", 0) != 0)
    args.fail("runs in training mode (batch statistics); export the model for inference");
  if (args.outputCount() > 1) args.fail("returns running statistics, which only training computes");
  Tensor out = args.floating(0);
  if (out.rank() < 2) args.fail("its input has no channel axis");
  const double epsilon = args.real("epsilon", 1e-5);
  const int64_t channels = out.shape[1];
  const Tensor &scale = args.floating(1), &bias = args.floating(2), &mean = args.floating(3), &var = args.floating(4);
  for (const Tensor* t : {&scale, &bias, &mean, &var})
    if (t->count() != channels)
      args.fail("a statistic has " + std::to_string(t->count()) + " values for " + std::to_string(channels) +
                " channels");
  int64_t inner = 1;
  for (size_t k = 2; k < out.shape.size(); ++k) inner *= out.shape[k];
  for (int64_t q = 0; q < out.count(); ++q) {
    const auto c = static_cast<size_t>((q / inner) % channels);
    double& v = out.values[static_cast<size_t>(q)];
    v = scale.values[c] * (v - mean.values[c]) / std::sqrt(var.values[c] + epsilon) + bias.values[c];
  }
  out.roundToType();
  return {std::move(out)};
}

enum class Reduction { Mean, Sum, Max };

std::vector<Tensor> reduce(const NodeArgs& args, Reduction how) {
  const Tensor& in = args.input(0);
  // ReduceSum reads its axes from an input from opset 13, the others from opset 18.
  const int64_t inputSince = how == Reduction::Sum ? 13 : 18;
  std::optional<std::vector<int64_t>> axes = args.opset() < inputSince ? args.integers("axes") : args.integersOf(1);
  const bool keepDims = args.integer("keepdims", 1) != 0;
  if (axes && axes->empty()) {
    axes.reset();
    if (args.integer("noop_with_empty_axes", 0) != 0) return {in};
  }
  std::vector<bool> reduced(in.shape.size(), !axes);
  if (axes)
    for (int64_t a : *axes) reduced[static_cast<size_t>(args.axis(a, in.rank()))] = true;
  Shape kept = in.shape, shape;
  for (size_t k = 0; k < kept.size(); ++k) {
    if (reduced[k]) kept[k] = 1;
    if (!reduced[k] || keepDims) shape.push_back(kept[k]);
  }
  const int64_t n = elementCount(kept);
  const int64_t per = n ? in.count() / n : 0;
  Tensor out{in.type, shape, std::vector<double>(static_cast<size_t>(n), how == Reduction::Max ? -INFINITY : 0.0)};
  // Each input element adds into the output element it reduces to: its index with reduced axes at 0.
  const std::vector<int64_t> outStrides = stridesOf(kept);
  int64_t q = 0;
  forEachIndex(in.shape, [&](const std::vector<int64_t>& index) {
    int64_t target = 0;
    for (size_t k = 0; k < index.size(); ++k)
      if (!reduced[k]) target += index[k] * outStrides[k];
    double& slot = out.values[static_cast<size_t>(target)];
    const double v = in.values[static_cast<size_t>(q++)];
    slot = how == Reduction::Max ? std::max(slot, v) : slot + v;
  });
  if (how == Reduction::Mean)
    for (double& v : out.values) v /= static_cast<double>(per);
  out.roundToType();
  return {std::move(out)};
}

}  // namespace

void addLinearOperators(OperatorTable& table) {
  table["MatMul"] = matMul;
  table["Gemm"] = gemm;
  table["Softmax"] = [](const NodeArgs& args) { return softmax(args, false); };
  table["LogSoftmax"] = [](const NodeArgs& args) { return softmax(args, true); };
  table["BatchNormalization"] = batchNormalization;
  table["ReduceMean"] = [](const NodeArgs& args) { return reduce(args, Reduction::Mean); };
  table["ReduceSum"] = [](const NodeArgs& args) { return reduce(args, Reduction::Sum); };
  table["ReduceMax"] = [](const NodeArgs& args) { return reduce(args, Reduction::Max); };
}

}  // namespace lstmscope::onnx_eval
