// The check that makes a streaming graph's recording trustworthy (docs/IMPORT.md "Streaming graphs"): call by
// call, the graph's LSTM node must start from the state it ended the previous call with (zeros at first), and
// the engine, run on the node's input from the state carried over, must give the node's output at every step
// and its final state. Chunk by chunk with the state fed back is then the one run the engine records.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/engine/tape.h"
#include "core/formats/foreign/onnx_eval/onnx_tensor.h"

namespace onnx {
class NodeProto;
}

namespace lstmscope {

// What one call's LSTM node read and gave, as the evaluator's observer saw it.
struct LstmNodeCall {
  const onnx::NodeProto* node = nullptr;
  std::vector<std::optional<onnx_eval::Tensor>> inputs;  // X, W, R, B, sequence_lens, initial_h, initial_c, P
  std::vector<onnx_eval::Tensor> outputs;                // Y, Y_h, Y_c
};

class StreamingCallCheck {
 public:
  // Refuses (InputError naming `path`) a model the engine cannot carry from call to call as the graph does:
  // anything but one forward layer (a backward direction reads each call from its end).
  StreamingCallCheck(const Model& model, std::string path);

  // The call's LSTM input as (features, steps). InputError naming `when` ("the call at 1.024 s") when the node
  // does not start where it ended, reads another width or a batch other than one, or parts from the engine
  // by more than 1e-4 · (1 + |value|) at any step.
  Mat<float> check(const LstmNodeCall& call, const std::string& when);
  // The largest such difference so far, relative.
  double worstGap() const { return worst_; }

 private:
  void compare(double ours, double graphs, const std::string& what, const std::string& when);
  Network<double> net_;
  std::string path_;
  State<double> carried_;
  std::optional<onnx_eval::Tensor> lastH_, lastC_;
  double worst_ = 0;
};

}  // namespace lstmscope
