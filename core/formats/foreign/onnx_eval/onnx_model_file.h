// An ONNX file read for evaluation, without protobuf in the caller's headers: its main graph's inputs,
// outputs and a run. Also ONNX's test-data tensors (a serialized TensorProto per .pb file).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/formats/foreign/onnx_eval/onnx_evaluator.h"

namespace onnx {
class ModelProto;
}

namespace lstmscope::onnx_eval {

// A graph input or output as the graph declares it: element type (other types read as float32), and its
// shape with −1 for a dimension left open (`ranked`: whether a shape is declared at all).
struct DeclaredValue {
  std::string name;
  ElementType type = ElementType::Float32;
  bool ranked = false;
  Shape shape;
};

class OnnxModelFile {
 public:
  // Throws InputError naming the file when it is not an ONNX model.
  static OnnxModelFile read(const std::string& path);

  std::vector<std::string> inputNames() const;  // graph inputs that are not initializers
  std::vector<std::string> outputNames() const;
  std::vector<DeclaredValue> declaredInputs() const;  // the inputNames(), in order
  std::vector<DeclaredValue> declaredOutputs() const;
  int64_t opset() const { return opset_; }
  const std::string& path() const { return path_; }
  // An input for every graph input, shaped as the graph declares it (a dimension it leaves open, or one
  // above `longest`, is `longest` long) and filled with small varied values of the declared type: what
  // the fuzz target runs, and a probe of what the graph computes.
  Values exampleInputs(int64_t longest) const;
  Values run(const Values& inputs, const std::vector<std::string>& wanted = {},
             const NodeObserver& observer = {}) const;

 private:
  std::shared_ptr<const onnx::ModelProto> model_;
  // Constant nodes' outputs from earlier runs (a streaming graph runs once per chunk).
  std::shared_ptr<ConstantCache> constants_ = std::make_shared<ConstantCache>();
  int64_t opset_ = 0;
  std::string path_;
};

// A serialized TensorProto (ONNX's backend test data: input_0.pb, output_0.pb).
Tensor readTensorFile(const std::string& path);

}  // namespace lstmscope::onnx_eval
