// Runs an ONNX graph forward, operator by operator (docs/IMPORT.md "Operators evaluated outside the
// LSTM"): the front ends and heads around LSTM nodes, and the If branches a graph chooses between. Nodes
// run in the graph's order (ONNX requires it to be topological); only those the wanted outputs need run.
// Anything the evaluator does not compute is refused by the node's name and operator, never skipped.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/formats/foreign/onnx_eval/onnx_tensor.h"

namespace onnx {
class GraphProto;
class NodeProto;
class TensorProto;
}  // namespace onnx

namespace lstmscope::onnx_eval {

using Values = std::map<std::string, Tensor>;
// Called after each node runs (in If branches too) with its inputs (null: omitted) and outputs: how a
// caller sees what an LSTM node inside a graph read and gave.
using NodeObserver =
    std::function<void(const onnx::NodeProto&, const std::vector<const Tensor*>&, const std::vector<Tensor>&)>;
// What does not change from one run of a graph to the next: initializers as tensors, and the outputs of
// nodes that read only initializers and constants.
struct ConstantCache {
  std::map<const onnx::TensorProto*, Tensor> initializers;
  std::map<const onnx::NodeProto*, std::vector<Tensor>> nodes;
};

class GraphEvaluator {
 public:
  // `graph` must outlive the evaluator; `opset` is the default domain's version the model imports;
  // `source` names the file in errors.
  GraphEvaluator(const onnx::GraphProto& graph, int64_t opset, std::string source);

  // The `wanted` values (the graph's outputs when empty) from `inputs`, by name. A graph input the
  // caller does not give takes its initializer, if it has one; else it is refused by name.
  // `cache`: where nodes that read only constants keep their outputs between runs (none: computed each run).
  Values run(const Values& inputs, const std::vector<std::string>& wanted = {}, const NodeObserver& observer = {},
             ConstantCache* cache = nullptr) const;

 private:
  const onnx::GraphProto& graph_;
  int64_t opset_;
  std::string source_;
};

}  // namespace lstmscope::onnx_eval
