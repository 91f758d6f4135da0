// Operators that slide a window over the spatial axes of an [N, C, spatial…] tensor: Conv, MaxPool and
// AveragePool, in 1-D (audio, text) and 2-D (spectrograms), with ONNX's strides, dilations, pads and
// auto_pad rules.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

namespace {

// Where each window starts and how many there are, per spatial axis.
struct WindowGeometry {
  Shape kernel, strides, dilations, padBefore, padAfter, outputs;
};

WindowGeometry geometryOf(const NodeArgs& args, const Shape& input, const Shape& kernel, bool ceilMode) {
  const size_t spatial = input.size() - 2;
  WindowGeometry g;
  g.kernel = kernel;
  g.strides = args.integers("strides").value_or(Shape(spatial, 1));
  g.dilations = args.integers("dilations").value_or(Shape(spatial, 1));
  Shape pads = args.integers("pads").value_or(Shape(2 * spatial, 0));
  if (g.strides.size() != spatial || g.dilations.size() != spatial || pads.size() != 2 * spatial ||
      kernel.size() != spatial)
    args.fail("its strides, dilations, pads or kernel do not match " + std::to_string(spatial) + " spatial axes");
  const std::string autoPad = args.text("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    args.fail("auto_pad " + autoPad + " is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
  g.padBefore.resize(spatial), g.padAfter.resize(spatial), g.outputs.resize(spatial);
  for (size_t k = 0; k < spatial; ++k) {
    const int64_t n = input[k + 2], s = g.strides[k], d = g.dilations[k];
    if (s < 1 || d < 1 || kernel[k] < 1) args.fail("a stride, dilation or kernel size is below 1");
    const int64_t extent = (kernel[k] - 1) * d + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      const int64_t out = (n + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - n);
      g.padBefore[k] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.padAfter[k] = total - g.padBefore[k];
      g.outputs[k] = out;
      continue;
    }
    const int64_t before = autoPad == "VALID" ? 0 : pads[k], after = autoPad == "VALID" ? 0 : pads[k + spatial];
    if (before < 0 || after < 0) args.fail("a pad is negative");
    const int64_t span = n + before + after - extent;
    if (span < 0)
      args.fail("its window (" + std::to_string(extent) + ") is longer than the padded input (" +
                std::to_string(n + before + after) + ")");
    g.padBefore[k] = before, g.padAfter[k] = after;
    g.outputs[k] = (ceilMode ? (span + s - 1) / s : span / s) + 1;
    // With ceil_mode a last window that would start in the padding after the input is not taken.
    if (ceilMode && (g.outputs[k] - 1) * s >= n + before) --g.outputs[k];
  }
  return g;
}

// The offsets (one per spatial axis) of every tap of a kernel.
std::vector<Shape> taps(const NodeArgs& args, const Shape& kernel) {
  if (elementCount(kernel) > (int64_t(1) << 16))
    args.fail("its kernel " + shapeText(kernel) + " has more than 65536 taps");
  std::vector<Shape> out;
  forEachIndex(kernel, [&](const std::vector<int64_t>& index) { out.push_back(index); });
  return out;
}

std::vector<Tensor> conv(const NodeArgs& args) {
  const Tensor &x = args.floating(0), &w = args.floating(1);
  if (x.rank() < 3 || w.rank() != x.rank())
    args.fail("its input " + shapeText(x.shape) + " and weight " + shapeText(w.shape) +
              " are not [N, C, spatial…] tensors of one rank");
  const int64_t group = args.integer("group", 1), channels = x.shape[1], filters = w.shape[0];
  if (filters < 1 || channels < 1) args.fail("has no filters or no channels");
  if (group < 1 || channels % group || filters % group || w.shape[1] * group != channels)
    args.fail("its weight " + shapeText(w.shape) + " does not fit " + std::to_string(channels) + " channels in " +
              std::to_string(group) + " groups");
  const Shape kernel(w.shape.begin() + 2, w.shape.end());
  if (const auto given = args.integers("kernel_shape"); given && *given != kernel)
    args.fail("kernel_shape " + shapeText(*given) + " differs from the weight's " + shapeText(kernel));
  const WindowGeometry g = geometryOf(args, x.shape, kernel, false);
  const Tensor* bias = args.has(2) ? &args.floating(2) : nullptr;
  if (bias && bias->count() != filters)
    args.fail("its bias has " + std::to_string(bias->count()) + " values for " + std::to_string(filters) + " filters");
  Shape shape{x.shape[0], filters};
  shape.insert(shape.end(), g.outputs.begin(), g.outputs.end());
  requireWorkWithinBudget(args, static_cast<double>(elementCount(shape)) * static_cast<double>(w.count() / filters));
  // float64 if either is: a float32 weight read with float64 input computes in float64.
  Tensor out{
      x.type == ElementType::Float64 || w.type == ElementType::Float64 ? ElementType::Float64 : x.type, shape, {}};
  out.values.assign(static_cast<size_t>(elementCount(shape)), 0.0);
  const std::vector<int64_t> xs = stridesOf(x.shape);
  const std::vector<Shape> offsets = taps(args, kernel);
  const int64_t perGroupIn = channels / group, perGroupOut = filters / group;
  const auto nTaps = static_cast<int64_t>(offsets.size());
  const int64_t nOut = elementCount(g.outputs), rows = perGroupIn * nTaps;
  // Where each tap of each output reads in an input channel's spatial block, or −1 in the padding.
  std::vector<int64_t> readAt(static_cast<size_t>(nOut * nTaps));
  int64_t o = 0;
  forEachIndex(g.outputs, [&](const std::vector<int64_t>& index) {
    for (int64_t t = 0; t < nTaps; ++t) {
      int64_t at = 0;
      for (size_t k = 0; k < kernel.size() && at >= 0; ++k) {
        const int64_t i = index[k] * g.strides[k] - g.padBefore[k] + offsets[size_t(t)][k] * g.dilations[k];
        at = i >= 0 && i < x.shape[k + 2] ? at + i * xs[k + 2] : -1;
      }
      readAt[size_t(o * nTaps + t)] = at;
    }
    ++o;
  });
  // As a matrix product per group (im2col): the weight's rows are its filters, its columns channel-major
  // then taps in the kernel's row-major order, exactly as [F, C/group, k…] lies in memory; the gathered
  // inputs are blocks of output positions, so that the gathered matrix stays small.
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(nOut, (int64_t(1) << 22) / std::max<int64_t>(1, rows)));
  Eigen::MatrixXd gathered;
  for (int64_t b = 0; b < x.shape[0]; ++b)
    for (int64_t gi = 0; gi < group; ++gi) {
      const Eigen::Map<const RowMajor> weight(w.values.data() + gi * perGroupOut * rows, perGroupOut, rows);
      Eigen::Map<RowMajor> result(out.values.data() + (b * filters + gi * perGroupOut) * nOut, perGroupOut, nOut);
      const double* channelBlock = x.values.data() + b * xs[0] + gi * perGroupIn * xs[1];
      for (int64_t first = 0; first < nOut; first += block) {
        const int64_t n = std::min(block, nOut - first);
        gathered.resize(rows, n);
        for (int64_t c = 0; c < perGroupIn; ++c)
          for (int64_t t = 0; t < nTaps; ++t)
            for (int64_t j = 0; j < n; ++j) {
              const int64_t at = readAt[size_t((first + j) * nTaps + t)];
              gathered(c * nTaps + t, j) = at < 0 ? 0.0 : channelBlock[c * xs[1] + at];
            }
        // A small product runs on this thread: Eigen's threaded GEMM costs far more than it saves on the
        // few-thousand-element products of a streaming graph's call (60 s of Silero: 54 s against 4).
        if (double(perGroupOut) * double(rows) * double(n) < 1e7)
          result.middleCols(first, n).noalias() = weight.lazyProduct(gathered);
        else
          result.middleCols(first, n).noalias() = weight * gathered;
      }
    }
  if (bias)
    for (int64_t b = 0; b < x.shape[0]; ++b)
      for (int64_t f = 0; f < filters; ++f)
        for (int64_t j = 0; j < nOut; ++j) out.values[size_t((b * filters + f) * nOut + j)] += bias->values[size_t(f)];
  out.roundToType();
  return {std::move(out)};
}

std::vector<Tensor> pool(const NodeArgs& args, bool max) {
  const Tensor& x = args.floating(0);
  if (x.rank() < 3) args.fail("its input " + shapeText(x.shape) + " is not an [N, C, spatial…] tensor");
  if (max && args.outputCount() > 1)
    args.fail("returns the indices of the maxima, which the evaluator does not compute");
  if (args.integer("storage_order", 0) != 0) args.fail("storage_order 1 (column-major indices) is not computed");
  const auto kernel = args.integers("kernel_shape");
  if (!kernel) args.fail("has no kernel_shape");
  const WindowGeometry g = geometryOf(args, x.shape, *kernel, args.integer("ceil_mode", 0) != 0);
  const bool countPads = args.integer("count_include_pad", 0) != 0;
  Shape shape{x.shape[0], x.shape[1]};
  shape.insert(shape.end(), g.outputs.begin(), g.outputs.end());
  requireWorkWithinBudget(args, static_cast<double>(elementCount(shape)) * static_cast<double>(elementCount(*kernel)));
  Tensor out{x.type, shape, {}};
  const std::vector<int64_t> xs = stridesOf(x.shape);
  const std::vector<Shape> offsets = taps(args, *kernel);
  const size_t spatial = kernel->size();
  for (int64_t plane = 0; plane < x.shape[0] * x.shape[1]; ++plane)
    forEachIndex(g.outputs, [&](const std::vector<int64_t>& o) {
      double best = -INFINITY, sum = 0;
      int64_t counted = 0;
      for (const Shape& tap : offsets) {
        int64_t at = plane * xs[1];
        bool inside = true, inPadding = true;
        for (size_t k = 0; k < spatial; ++k) {
          const int64_t i = o[k] * g.strides[k] - g.padBefore[k] + tap[k] * g.dilations[k];
          inside = inside && i >= 0 && i < x.shape[k + 2];
          // count_include_pad counts the pads, never a ceil_mode window's overhang past them.
          inPadding = inPadding && i >= -g.padBefore[k] && i < x.shape[k + 2] + g.padAfter[k];
          at += i * xs[k + 2];
        }
        if (inside) {
          const double v = x.values[static_cast<size_t>(at)];
          best = std::max(best, v), sum += v, ++counted;
        } else if (countPads && inPadding) {
          ++counted;
        }
      }
      out.values.push_back(max ? best : (counted ? sum / static_cast<double>(counted) : 0.0));
    });
  out.roundToType();
  return {std::move(out)};
}

}  // namespace

void addWindowOperators(OperatorTable& table) {
  table["Conv"] = conv;
  table["MaxPool"] = [](const NodeArgs& args) { return pool(args, true); };
  table["AveragePool"] = [](const NodeArgs& args) { return pool(args, false); };
}

}  // namespace lstmscope::onnx_eval
