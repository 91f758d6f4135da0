#include "core/formats/foreign/streaming_check.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

bool batchFirst(const onnx::NodeProto& node) {
  for (const auto& a : node.attribute())
    if (a.name() == "layout") return a.i() != 0;
  return false;
}

bool same(const onnx_eval::Tensor& a, const onnx_eval::Tensor& b) {
  if (a.values.size() != b.values.size()) return false;
  for (size_t k = 0; k < a.values.size(); ++k)
    if (std::abs(a.values[k] - b.values[k]) > 1e-6 * (1 + std::abs(b.values[k]))) return false;
  return true;
}

}  // namespace

StreamingCallCheck::StreamingCallCheck(const Model& model, std::string path)
    : net_(model.cast<double>()), path_(std::move(path)) {
  const auto& layers = net_.arch.layers;
  if (layers.size() != 1 || layers[0].looksAhead())
    throw InputError(
        path_, "the streaming graph's LSTM " +
                   std::string(layers.size() != 1 ? "has several layers" : "runs backward (reverse or bidirectional)") +
                   ": within each call it reads the call's steps in its own way, which one run over "
                   "the whole audio cannot reproduce; LSTMScope follows one forward LSTM");
  const long H = layers[0].hidden;
  carried_ = {{DirectionState<double>{Mat<double>::Zero(H, 1), Mat<double>::Zero(H, 1)}}};
}

void StreamingCallCheck::compare(double ours, double graphs, const std::string& what, const std::string& when) {
  const double gap = std::abs(ours - graphs) / (1 + std::abs(graphs));
  worst_ = std::max(worst_, gap);
  if (gap > 1e-4)
    throw InputError(path_, "at " + when + " the engine's " + what + " is " + std::to_string(ours) +
                                " where the graph's LSTM gives " + std::to_string(graphs) +
                                ": the graph runs its LSTM in a way LSTMScope does not follow");
}

Mat<float> StreamingCallCheck::check(const LstmNodeCall& call, const std::string& when) {
  const onnx_eval::Tensor& x = *call.inputs[0];
  const bool first = batchFirst(*call.node);
  const int64_t steps = first ? x.shape[1] : x.shape[0], batch = first ? x.shape[0] : x.shape[1];
  const long H = net_.arch.layers[0].hidden;
  if (batch != 1)
    throw InputError(path_, "at " + when + " the graph's LSTM runs a batch of " + std::to_string(batch) + ", not one");
  if (x.shape[2] != net_.arch.inputWidth())
    throw InputError(path_, "at " + when + " the graph's LSTM reads " + std::to_string(x.shape[2]) +
                                " features, not the " + std::to_string(net_.arch.inputWidth()) + " it was opened with");
  // It starts where it ended: zeros at the first call, else the state the previous call returned.
  const auto startsAt = [&](const std::optional<onnx_eval::Tensor>& given, const std::optional<onnx_eval::Tensor>& last,
                            const char* which) {
    const bool zero =
        !given || std::all_of(given->values.begin(), given->values.end(), [](double v) { return v == 0; });
    if (last ? !(given && same(*given, *last)) : !zero)
      throw InputError(path_, std::string("at ") + when + " the graph's LSTM does not start from the " + which +
                                  " it ended the previous call with: its state inputs do not carry the LSTM's "
                                  "state from call to call, so the graph cannot be run as one sequence");
  };
  startsAt(call.inputs[5], lastH_, "hidden state");
  startsAt(call.inputs[6], lastC_, "cell state");

  Mat<float> features(x.shape[2], steps);
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t i = 0; i < x.shape[2]; ++i) features(i, t) = static_cast<float>(x.values[size_t(t * x.shape[2] + i)]);
  const onnx_eval::Tensor &y = call.outputs[0], &yh = call.outputs[1], &yc = call.outputs[2];
  if (steps > 0) {
    Inputs<double> in;
    in.steps = static_cast<int>(steps);
    in.features = features.cast<double>();
    Tape<double> tape;
    ForwardOptions noHead;
    noHead.computeHead = false;
    forward(net_, in, tape, noHead, &carried_);
    const auto& dir = tape.layers[0][0];
    for (int64_t t = 0; t < steps; ++t)  // Y is [steps, 1, 1, H] or [1, steps, 1, H]: step t's h at t·H
      for (long u = 0; u < H; ++u)
        compare(dir.h(u, t), y.values[size_t(t * H + u)], "h of unit " + std::to_string(u), when);
    carried_ = tape.finalState(net_.arch);
  }
  for (long u = 0; u < H; ++u) {
    compare(carried_[0][0].h(u, 0), yh.values[size_t(u)], "final h of unit " + std::to_string(u), when);
    compare(carried_[0][0].c(u, 0), yc.values[size_t(u)], "final c of unit " + std::to_string(u), when);
  }
  lastH_ = yh, lastC_ = yc;
  return features;
}

}  // namespace lstmscope
