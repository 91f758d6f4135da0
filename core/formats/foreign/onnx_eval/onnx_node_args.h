// One node's inputs and attributes as an operator reads them, with errors that name the node: every
// refusal reads "node conv_3 (Conv): …", so a user can find it in Netron.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/formats/foreign/onnx_eval/onnx_tensor.h"

namespace onnx {
class NodeProto;
class AttributeProto;
}  // namespace onnx

namespace lstmscope::onnx_eval {

class NodeArgs {
 public:
  // `inputs[k]` is null for an omitted optional input (an empty name). `opset` is the default domain's
  // version the model imports: operators read some settings from attributes before a version and from
  // inputs after it.
  NodeArgs(const onnx::NodeProto& node, std::vector<const Tensor*> inputs, int64_t opset);

  const std::string& op() const;
  int64_t opset() const { return opset_; }
  size_t inputCount() const { return inputs_.size(); }
  size_t outputCount() const;  // the node's outputs, named or omitted
  bool has(size_t k) const { return k < inputs_.size() && inputs_[k]; }
  const Tensor& input(size_t k) const;                             // refused by name when absent
  const Tensor& floating(size_t k) const;                          // an input that must be float32 or float64
  std::optional<std::vector<int64_t>> integersOf(size_t k) const;  // an optional integer input
  std::vector<int64_t> requiredIntegersOf(size_t k) const;         // refused by name when absent

  bool hasAttribute(const std::string& name) const;
  int64_t integer(const std::string& name, int64_t fallback) const;
  double real(const std::string& name, double fallback) const;
  std::string text(const std::string& name, const std::string& fallback) const;
  std::optional<std::vector<int64_t>> integers(const std::string& name) const;
  std::optional<std::vector<double>> reals(const std::string& name) const;
  const onnx::AttributeProto* attribute(const std::string& name) const;

  // InputError("node NAME (Op): problem").
  [[noreturn]] void fail(const std::string& problem) const;
  // An axis in [-rank, rank) made non-negative, refused by name otherwise.
  int axis(int64_t axis, int rank, const std::string& what = "axis") const;

 private:
  const onnx::NodeProto& node_;
  std::vector<const Tensor*> inputs_;
  int64_t opset_;
};

}  // namespace lstmscope::onnx_eval
