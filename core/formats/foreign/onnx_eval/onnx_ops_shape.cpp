// Operators that move values without computing new ones: shapes, layouts, selections and padding.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <numeric>

#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

namespace {

Tensor withShape(const Tensor& in, Shape shape) {
  Tensor out{in.type, std::move(shape), in.values};
  return out;
}

Tensor integerTensor(const std::vector<int64_t>& values) {
  Tensor t{ElementType::Int64, {static_cast<int64_t>(values.size())}, {}};
  t.values.assign(values.begin(), values.end());
  return t;
}

// Axes from the attribute (before `inputSince`) or from input `k` (from then on).
std::optional<std::vector<int64_t>> axesOf(const NodeArgs& args, int64_t inputSince, size_t k) {
  return args.opset() < inputSince ? args.integers("axes") : args.integersOf(k);
}

std::vector<Tensor> reshape(const NodeArgs& args) {
  const Tensor& data = args.input(0);
  const std::vector<int64_t> wanted =
      args.opset() < 5 ? args.integers("shape").value_or(std::vector<int64_t>{}) : args.requiredIntegersOf(1);
  const bool allowZero = args.integer("allowzero", 0) != 0;
  Shape shape(wanted.size());
  int inferred = -1;
  int64_t known = 1;
  for (size_t k = 0; k < wanted.size(); ++k) {
    int64_t d = wanted[k];
    if (d == 0 && !allowZero) {
      if (k >= data.shape.size())
        args.fail("dimension " + std::to_string(k) + " copies an input dimension that does not exist");
      d = data.shape[k];
    }
    if (d == -1) {
      if (inferred >= 0) args.fail("its shape " + shapeText(wanted) + " has more than one -1");
      inferred = static_cast<int>(k);
      continue;
    }
    if (d < 0) args.fail("its shape " + shapeText(wanted) + " has a negative dimension");
    if (d != 0 && known > (int64_t(1) << 40) / d) args.fail("its shape " + shapeText(wanted) + " is too large");
    shape[k] = d, known *= d;
  }
  if (inferred >= 0) {
    if (known == 0 || data.count() % known)
      args.fail("cannot infer -1 in " + shapeText(wanted) + " for " + shapeText(data.shape));
    shape[static_cast<size_t>(inferred)] = data.count() / known;
  }
  if (elementCount(shape) != data.count())
    args.fail("cannot reshape " + shapeText(data.shape) + " to " + shapeText(shape));
  return {withShape(data, shape)};
}

std::vector<Tensor> transpose(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  std::vector<int64_t> perm(in.shape.size());
  std::iota(perm.rbegin(), perm.rend(), 0);
  if (auto given = args.integers("perm")) perm = *given;
  if (perm.size() != in.shape.size())
    args.fail("perm " + shapeText(perm) + " is not a permutation of " + std::to_string(in.rank()) + " axes");
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 0; k < sorted.size(); ++k)
    if (sorted[k] != static_cast<int64_t>(k) || sorted.size() != in.shape.size())
      args.fail("perm " + shapeText(perm) + " is not a permutation of " + std::to_string(in.rank()) + " axes");
  Shape shape(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) shape[k] = in.shape[static_cast<size_t>(perm[k])];
  const std::vector<int64_t> strides = stridesOf(in.shape);
  Tensor out{in.type, shape, {}};
  out.values.reserve(in.values.size());
  forEachIndex(shape, [&](const std::vector<int64_t>& index) {
    int64_t source = 0;
    for (size_t k = 0; k < perm.size(); ++k) source += index[k] * strides[static_cast<size_t>(perm[k])];
    out.values.push_back(in.values[static_cast<size_t>(source)]);
  });
  return {std::move(out)};
}

std::vector<Tensor> squeeze(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  std::vector<bool> drop(in.shape.size(), false);
  if (const auto axes = axesOf(args, 13, 1)) {
    for (int64_t a : *axes) {
      const int axis = args.axis(a, in.rank());
      if (in.shape[static_cast<size_t>(axis)] != 1)
        args.fail("axis " + std::to_string(a) + " of " + shapeText(in.shape) + " is not 1 long");
      drop[static_cast<size_t>(axis)] = true;
    }
  } else {
    for (size_t k = 0; k < drop.size(); ++k) drop[k] = in.shape[k] == 1;
  }
  Shape shape;
  for (size_t k = 0; k < drop.size(); ++k)
    if (!drop[k]) shape.push_back(in.shape[k]);
  return {withShape(in, shape)};
}

std::vector<Tensor> unsqueeze(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  const auto axes = axesOf(args, 13, 1);
  if (!axes) args.fail("has no axes");
  const int rank = in.rank() + static_cast<int>(axes->size());
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t a : *axes) {
    const int axis = args.axis(a, rank);
    if (inserted[static_cast<size_t>(axis)]) args.fail("axis " + std::to_string(a) + " is given twice");
    inserted[static_cast<size_t>(axis)] = true;
  }
  Shape shape;
  size_t next = 0;
  for (int k = 0; k < rank; ++k) shape.push_back(inserted[static_cast<size_t>(k)] ? 1 : in.shape[next++]);
  return {withShape(in, shape)};
}

std::vector<Tensor> flatten(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  const int64_t given = args.integer("axis", 1);
  if (given < -in.rank() || given > in.rank()) args.fail("axis " + std::to_string(given) + " is outside the input");
  const int64_t axis = given < 0 ? given + in.rank() : given;
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < in.rank(); ++k) (k < axis ? outer : inner) *= in.shape[static_cast<size_t>(k)];
  return {withShape(in, {outer, inner})};
}

// The tensor as [outer, axis length, inner] blocks, the layout Concat, Split and Gather work in.
struct AxisBlocks {
  int64_t outer = 1, length = 1, inner = 1;
};
AxisBlocks blocksAround(const Shape& shape, int axis) {
  AxisBlocks b;
  for (int k = 0; k < axis; ++k) b.outer *= shape[static_cast<size_t>(k)];
  b.length = shape.empty() ? 1 : shape[static_cast<size_t>(axis)];
  for (size_t k = static_cast<size_t>(axis) + 1; k < shape.size(); ++k) b.inner *= shape[k];
  return b;
}

std::vector<Tensor> concat(const NodeArgs& args) {
  const Tensor& first = args.input(0);
  if (first.rank() == 0) args.fail("joins scalars, which have no axis");
  const int axis = args.axis(args.integer("axis", 0), first.rank());
  Shape shape = first.shape;
  shape[static_cast<size_t>(axis)] = 0;
  for (size_t k = 0; k < args.inputCount(); ++k) {
    const Tensor& t = args.input(k);
    Shape other = t.shape, mine = first.shape;
    if (t.rank() != first.rank())
      args.fail("its inputs have ranks " + std::to_string(first.rank()) + " and " + std::to_string(t.rank()));
    other[static_cast<size_t>(axis)] = mine[static_cast<size_t>(axis)] = 0;
    if (other != mine)
      args.fail("input " + std::to_string(k) + " " + shapeText(t.shape) + " does not fit " + shapeText(first.shape) +
                " beside axis " + std::to_string(axis));
    shape[static_cast<size_t>(axis)] += t.shape[static_cast<size_t>(axis)];
  }
  Tensor out{first.type, shape, {}};
  const AxisBlocks b = blocksAround(first.shape, axis);
  for (int64_t o = 0; o < b.outer; ++o)
    for (size_t k = 0; k < args.inputCount(); ++k) {
      const Tensor& t = args.input(k);
      const int64_t run = t.shape[static_cast<size_t>(axis)] * b.inner;
      out.values.insert(out.values.end(), t.values.begin() + o * run, t.values.begin() + (o + 1) * run);
    }
  return {std::move(out)};
}

std::vector<Tensor> split(const NodeArgs& args, size_t outputs) {
  const Tensor& in = args.input(0);
  if (in.rank() == 0) args.fail("splits a scalar");
  const int axis = args.axis(args.integer("axis", 0), in.rank());
  const int64_t length = in.shape[static_cast<size_t>(axis)];
  std::vector<int64_t> parts =
      (args.opset() < 13 ? args.integers("split") : args.integersOf(1)).value_or(std::vector<int64_t>{});
  if (parts.empty()) {
    if (outputs == 0 || length % static_cast<int64_t>(outputs))
      args.fail("cannot split " + std::to_string(length) + " into " + std::to_string(outputs) + " equal parts");
    parts.assign(outputs, length / static_cast<int64_t>(outputs));
  }
  for (int64_t part : parts)
    if (part < 0 || part > length) args.fail("a part of its split is negative or longer than the axis");
  if (parts.size() != outputs || std::accumulate(parts.begin(), parts.end(), int64_t(0)) != length)
    args.fail("its parts " + shapeText(parts) + " do not cover axis " + std::to_string(axis) + " (" +
              std::to_string(length) + ") in " + std::to_string(outputs) + " outputs");
  const AxisBlocks b = blocksAround(in.shape, axis);
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t part : parts) {
    Shape shape = in.shape;
    shape[static_cast<size_t>(axis)] = part;
    Tensor t{in.type, shape, {}};
    for (int64_t o = 0; o < b.outer; ++o) {
      const auto from = in.values.begin() + (o * b.length + start) * b.inner;
      t.values.insert(t.values.end(), from, from + part * b.inner);
    }
    start += part;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Tensor> slice(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (args.opset() < 10) {
    starts = args.integers("starts").value_or(starts), ends = args.integers("ends").value_or(ends);
    axes = args.integers("axes").value_or(axes);
  } else {
    starts = args.requiredIntegersOf(1), ends = args.requiredIntegersOf(2);
    axes = args.integersOf(3).value_or(axes), steps = args.integersOf(4).value_or(steps);
  }
  if (axes.empty()) axes.resize(starts.size()), std::iota(axes.begin(), axes.end(), 0);
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    args.fail("its starts, ends, axes and steps differ in length");
  const int rank = in.rank();
  std::vector<int64_t> first(static_cast<size_t>(rank), 0), step(static_cast<size_t>(rank), 1);
  Shape shape = in.shape;
  for (size_t k = 0; k < starts.size(); ++k) {
    const auto a = static_cast<size_t>(args.axis(axes[k], rank));
    const int64_t n = in.shape[a], s = steps[k];
    if (s == 0) args.fail("a step is 0");
    const auto clampTo = [&](int64_t v, int64_t low, int64_t high) {
      if (v < 0) v += n;
      return std::clamp(v, low, high);
    };
    // numpy's rules: with a positive step the bounds clamp to [0, n], with a negative one to [-1, n-1].
    const int64_t begin = s > 0 ? clampTo(starts[k], 0, n) : clampTo(starts[k], -1, n - 1);
    const int64_t end = s > 0 ? clampTo(ends[k], 0, n) : clampTo(std::max<int64_t>(ends[k], -n - 1), -1, n - 1);
    const int64_t count =
        s > 0 ? std::max<int64_t>(0, (end - begin + s - 1) / s) : std::max<int64_t>(0, (begin - end - s - 1) / -s);
    first[a] = begin, step[a] = s, shape[a] = count;
  }
  const std::vector<int64_t> strides = stridesOf(in.shape);
  Tensor out{in.type, shape, {}};
  forEachIndex(shape, [&](const std::vector<int64_t>& index) {
    int64_t source = 0;
    for (size_t k = 0; k < index.size(); ++k) source += (first[k] + index[k] * step[k]) * strides[k];
    out.values.push_back(in.values[static_cast<size_t>(source)]);
  });
  return {std::move(out)};
}

std::vector<Tensor> shapeOf(const NodeArgs& args) {
  const Shape& shape = args.input(0).shape;
  const auto rank = static_cast<int64_t>(shape.size());
  const auto bound = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t(0), rank); };
  const int64_t start = bound(args.integer("start", 0)), end = bound(args.integer("end", rank));
  return {integerTensor(std::vector<int64_t>(shape.begin() + start, shape.begin() + std::max(start, end)))};
}

std::vector<Tensor> gather(const NodeArgs& args) {
  const Tensor& data = args.input(0);
  const Tensor& indices = args.input(1);
  if (data.rank() == 0) args.fail("gathers from a scalar");
  const int axis = args.axis(args.integer("axis", 0), data.rank());
  const AxisBlocks b = blocksAround(data.shape, axis);
  Shape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  Tensor out{data.type, shape, {}};
  const std::vector<int64_t> picks = indices.integers();
  for (int64_t o = 0; o < b.outer; ++o)
    for (int64_t pick : picks) {
      if (pick < -b.length || pick >= b.length)
        args.fail("index " + std::to_string(pick) + " is outside axis " + std::to_string(axis) + " of length " +
                  std::to_string(b.length));
      const int64_t i = pick < 0 ? pick + b.length : pick;
      const auto from = data.values.begin() + (o * b.length + i) * b.inner;
      out.values.insert(out.values.end(), from, from + b.inner);
    }
  return {std::move(out)};
}

std::vector<Tensor> constantOfShape(const NodeArgs& args) {
  Tensor value{ElementType::Float32, {}, {0.0}};
  if (const onnx::AttributeProto* a = args.attribute("value")) {
    value = tensorFromProto(a->t(), "");
    if (value.count() != 1) args.fail("its value is not one element");
  }
  const std::vector<int64_t> shape = args.requiredIntegersOf(0);
  for (int64_t d : shape)
    if (d < 0) args.fail("its shape " + shapeText(shape) + " has a negative dimension");
  return {Tensor::filled(value.type, shape, value.values[0])};
}

std::vector<Tensor> expand(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  const Shape shape = broadcastShape(args, in.shape, args.requiredIntegersOf(1));
  Tensor out{in.type, shape, {}};
  for (int64_t k : broadcastSources(in.shape, shape)) out.values.push_back(in.values[static_cast<size_t>(k)]);
  return {std::move(out)};
}

std::vector<Tensor> pad(const NodeArgs& args) {
  const Tensor& in = args.input(0);
  const int rank = in.rank();
  const std::string mode = args.text("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    args.fail("mode " + mode + " is not constant, edge or reflect");
  std::vector<int64_t> pads =
      (args.opset() < 11 ? args.integers("pads") : args.integersOf(1)).value_or(std::vector<int64_t>{});
  double value = args.opset() < 11 ? args.real("value", 0) : 0;
  if (args.opset() >= 11 && args.has(2) && args.input(2).count() > 0) value = args.input(2).values[0];
  for (int64_t p : pads)
    if (p < -(int64_t(1) << 31) || p > (int64_t(1) << 31)) args.fail("a pad is out of range");
  if (static_cast<int>(pads.size()) != 2 * rank)
    args.fail("its pads " + shapeText(pads) + " are not 2 × rank " + std::to_string(rank) + " long");
  Shape shape = in.shape;
  for (int k = 0; k < rank; ++k) {
    shape[static_cast<size_t>(k)] += pads[static_cast<size_t>(k)] + pads[static_cast<size_t>(k + rank)];
    if (shape[static_cast<size_t>(k)] < 0) args.fail("its pads remove more than axis " + std::to_string(k) + " holds");
    const bool padded = pads[static_cast<size_t>(k)] != 0 || pads[static_cast<size_t>(k + rank)] != 0;
    if (padded && mode == "edge" && in.shape[static_cast<size_t>(k)] == 0)
      args.fail("repeats the edge of an empty axis");
    if (padded && mode == "reflect" && in.shape[static_cast<size_t>(k)] < 2)
      args.fail("reflects an axis shorter than 2");
  }
  const std::vector<int64_t> strides = stridesOf(in.shape);
  Tensor out{in.type, shape, {}};
  out.values.reserve(static_cast<size_t>(elementCount(shape)));
  forEachIndex(shape, [&](const std::vector<int64_t>& index) {
    int64_t source = 0;
    for (int k = 0; k < rank; ++k) {
      const int64_t n = in.shape[static_cast<size_t>(k)];
      int64_t i = index[static_cast<size_t>(k)] - pads[static_cast<size_t>(k)];
      if (i < 0 || i >= n) {
        if (mode == "constant") return out.values.push_back(value);
        if (mode == "edge")
          i = std::clamp<int64_t>(i, 0, n - 1);
        else {  // reflect without repeating the edge, as numpy's "reflect"
          const int64_t period = 2 * (n - 1);
          i = ((i % period) + period) % period;
          if (i >= n) i = period - i;
        }
      }
      source += i * strides[static_cast<size_t>(k)];
    }
    out.values.push_back(in.values[static_cast<size_t>(source)]);
  });
  out.roundToType();
  return {std::move(out)};
}

}  // namespace

void addShapeOperators(OperatorTable& table) {
  table["Reshape"] = reshape;
  table["Transpose"] = transpose;
  table["Squeeze"] = squeeze;
  table["Unsqueeze"] = unsqueeze;
  table["Flatten"] = flatten;
  table["Concat"] = concat;
  table["Slice"] = slice;
  table["Shape"] = shapeOf;
  table["Size"] = [](const NodeArgs& args) {  // the element count, an int64 scalar
    return std::vector<Tensor>{Tensor{ElementType::Int64, {}, {static_cast<double>(args.input(0).count())}}};
  };
  table["Gather"] = gather;
  table["ConstantOfShape"] = constantOfShape;
  table["Expand"] = expand;
  table["Pad"] = pad;
  // Split's output count is the node's: the evaluator passes it through the args' outputs.
  table["Split"] = [](const NodeArgs& args) { return split(args, args.outputCount()); };
}

}  // namespace lstmscope::onnx_eval
