// ONNX's LSTM operator, forward, as its operator documentation defines it (opsets 7–14: gates i, o, f, c
// in W, R and B; peepholes P in the order i, o, f; `layout` from opset 14). The evaluator runs it where
// the LSTM is part of a graph it evaluates whole — a streaming graph run chunk by chunk (docs/IMPORT.md
// "Streaming graphs"), where the recorded LSTM is then run again by the engine and checked against it.
// Activations other than the default (sigmoid, tanh, tanh), coupled input and forget gates and
// per-sequence lengths shorter than the sequence are refused by name.
#include <onnx/onnx_pb.h>

#include <cmath>

#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

namespace {

double sigmoid(double x) {
  return 1 / (1 + std::exp(-x));
}

void requireDefaultActivations(const NodeArgs& args) {
  if (const auto* a = args.attribute("activations")) {
    static const char* defaults[] = {"Sigmoid", "Tanh", "Tanh"};
    for (int k = 0; k < a->strings_size(); ++k)
      if (a->strings(k) != defaults[k % 3])
        args.fail("uses the activation " + a->strings(k) + "; the evaluator computes sigmoid, tanh, tanh");
  }
  if (args.integer("input_forget", 0) != 0) args.fail("couples its input and forget gates (input_forget)");
}

// Reads element (d, row, col) of a (directions, rows, cols) tensor.
struct Stacked {
  const Tensor& t;
  int64_t rows, cols;
  double at(int64_t d, int64_t r, int64_t c) const { return t.values[static_cast<size_t>((d * rows + r) * cols + c)]; }
};

std::vector<Tensor> lstm(const NodeArgs& args) {
  requireDefaultActivations(args);
  const Tensor &x = args.floating(0), &w = args.floating(1), &r = args.floating(2);
  const std::string direction = args.text("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    args.fail("has the direction " + direction);
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  const bool batchFirst = args.integer("layout", 0) != 0;
  if (x.rank() != 3 || w.rank() != 3 || r.rank() != 3)
    args.fail("its X " + shapeText(x.shape) + ", W " + shapeText(w.shape) + " and R " + shapeText(r.shape) +
              " are not all of rank 3");
  const int64_t steps = batchFirst ? x.shape[1] : x.shape[0], batch = batchFirst ? x.shape[0] : x.shape[1];
  const int64_t in = x.shape[2], hidden = r.shape[2];
  if (args.hasAttribute("hidden_size") && args.integer("hidden_size", 0) != hidden)
    args.fail("its hidden_size " + std::to_string(args.integer("hidden_size", 0)) + " is not R's width " +
              std::to_string(hidden));
  if (w.shape != Shape{dirs, 4 * hidden, in} || r.shape != Shape{dirs, 4 * hidden, hidden})
    args.fail("its W " + shapeText(w.shape) + " and R " + shapeText(r.shape) + " do not fit X " + shapeText(x.shape) +
              " and " + std::to_string(dirs) + " direction(s) of " + std::to_string(hidden) + " units");
  const auto optional = [&](size_t k, const Shape& shape, const char* what) -> const Tensor* {
    if (!args.has(k)) return nullptr;
    const Tensor& t = args.floating(k);
    if (t.shape != shape)
      args.fail(std::string("its ") + what + " is " + shapeText(t.shape) + ", not " + shapeText(shape));
    return &t;
  };
  const Tensor* b = optional(3, {dirs, 8 * hidden}, "B");
  const Tensor* h0 = optional(5, batchFirst ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden}, "initial_h");
  const Tensor* c0 = optional(6, batchFirst ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden}, "initial_c");
  const Tensor* p = optional(7, {dirs, 3 * hidden}, "P");
  if (args.has(4))
    for (int64_t length : args.input(4).integers())
      if (length != steps)
        args.fail("gives a sequence length (" + std::to_string(length) + ") other than X's " + std::to_string(steps) +
                  " steps");
  const double clip = args.real("clip", 0);
  requireWorkWithinBudget(args,
                          double(dirs) * double(steps) * double(batch) * 4 * double(hidden) * double(in + hidden));

  const ElementType type = x.type;
  // Y: (steps, dirs, batch, hidden), or (batch, steps, dirs, hidden) with layout 1.
  Tensor y =
      Tensor::filled(type, batchFirst ? Shape{batch, steps, dirs, hidden} : Shape{steps, dirs, batch, hidden}, 0);
  Tensor yh =
      Tensor::filled(type, h0 ? h0->shape : (batchFirst ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden}), 0);
  Tensor yc = yh;
  const Stacked W{w, 4 * hidden, in}, R{r, 4 * hidden, hidden};
  const auto stateIndex = [&](int64_t d, int64_t n, int64_t u) {
    return static_cast<size_t>(batchFirst ? (n * dirs + d) * hidden + u : (d * batch + n) * hidden + u);
  };
  const auto xAt = [&](int64_t t, int64_t n, int64_t i) {
    return x.values[static_cast<size_t>(batchFirst ? (n * steps + t) * in + i : (t * batch + n) * in + i)];
  };
  const auto clipped = [&](double v) { return clip > 0 ? std::max(-clip, std::min(clip, v)) : v; };
  std::vector<double> h(static_cast<size_t>(hidden)), c(static_cast<size_t>(hidden)),
      z(static_cast<size_t>(4 * hidden));
  for (int64_t d = 0; d < dirs; ++d)
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t u = 0; u < hidden; ++u) {
        h[size_t(u)] = h0 ? h0->values[stateIndex(d, n, u)] : 0;
        c[size_t(u)] = c0 ? c0->values[stateIndex(d, n, u)] : 0;
      }
      const bool backwards = direction == "reverse" || d == 1;
      for (int64_t s = 0; s < steps; ++s) {
        const int64_t t = backwards ? steps - 1 - s : s;
        for (int64_t g = 0; g < 4 * hidden; ++g) {
          double sum =
              b ? b->values[size_t(d * 8 * hidden + g)] + b->values[size_t(d * 8 * hidden + 4 * hidden + g)] : 0;
          for (int64_t i = 0; i < in; ++i) sum += W.at(d, g, i) * xAt(t, n, i);
          for (int64_t j = 0; j < hidden; ++j) sum += R.at(d, g, j) * h[size_t(j)];
          z[size_t(g)] = sum;
        }
        const auto peephole = [&](int gate, int64_t u, double cell) {
          return p ? p->values[size_t(d * 3 * hidden + gate * hidden + u)] * cell : 0.0;
        };
        for (int64_t u = 0; u < hidden; ++u) {  // W's gate blocks: i, o, f, c; P's: i, o, f
          const double gi = sigmoid(clipped(z[size_t(u)] + peephole(0, u, c[size_t(u)])));
          const double gf = sigmoid(clipped(z[size_t(2 * hidden + u)] + peephole(2, u, c[size_t(u)])));
          const double gc = std::tanh(clipped(z[size_t(3 * hidden + u)]));
          c[size_t(u)] = gf * c[size_t(u)] + gi * gc;
          const double go = sigmoid(clipped(z[size_t(hidden + u)] + peephole(1, u, c[size_t(u)])));
          h[size_t(u)] = go * std::tanh(c[size_t(u)]);
        }
        for (int64_t u = 0; u < hidden; ++u)
          y.values[static_cast<size_t>(batchFirst ? ((n * steps + t) * dirs + d) * hidden + u
                                                  : ((t * dirs + d) * batch + n) * hidden + u)] = h[size_t(u)];
      }
      for (int64_t u = 0; u < hidden; ++u) {
        yh.values[stateIndex(d, n, u)] = h[size_t(u)];
        yc.values[stateIndex(d, n, u)] = c[size_t(u)];
      }
    }
  for (Tensor* t : {&y, &yh, &yc}) t->roundToType();
  return {std::move(y), std::move(yh), std::move(yc)};
}

}  // namespace

void addRecurrentOperators(OperatorTable& table) {
  table["LSTM"] = lstm;
}

}  // namespace lstmscope::onnx_eval
