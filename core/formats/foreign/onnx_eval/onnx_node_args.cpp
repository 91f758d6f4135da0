#include "core/formats/foreign/onnx_eval/onnx_node_args.h"

#include <onnx/onnx_pb.h>

#include "core/common/error.h"

namespace lstmscope::onnx_eval {

NodeArgs::NodeArgs(const onnx::NodeProto& node, std::vector<const Tensor*> inputs, int64_t opset)
    : node_(node), inputs_(std::move(inputs)), opset_(opset) {}

const std::string& NodeArgs::op() const {
  return node_.op_type();
}

size_t NodeArgs::outputCount() const {
  return static_cast<size_t>(node_.output_size());
}

void NodeArgs::fail(const std::string& problem) const {
  const std::string name = node_.name().empty()
                               ? "(unnamed, output " + (node_.output_size() ? node_.output(0) : std::string("?")) + ")"
                               : node_.name();
  throw InputError("node " + name + " (" + node_.op_type() + "): " + problem);
}

const Tensor& NodeArgs::input(size_t k) const {
  if (!has(k)) fail("input " + std::to_string(k) + " is required but not given");
  return *inputs_[k];
}

const Tensor& NodeArgs::floating(size_t k) const {
  const Tensor& t = input(k);
  if (!isFloating(t.type))
    fail("input " + std::to_string(k) + " is " + elementTypeName(t.type) +
         "; the evaluator computes this operator in float32 or float64");
  return t;
}

std::optional<std::vector<int64_t>> NodeArgs::integersOf(size_t k) const {
  if (!has(k)) return std::nullopt;
  const Tensor& t = *inputs_[k];
  if (isFloating(t.type)) fail("input " + std::to_string(k) + " must hold integers, not " + elementTypeName(t.type));
  return t.integers();
}

std::vector<int64_t> NodeArgs::requiredIntegersOf(size_t k) const {
  (void)input(k);  // refused by name when absent
  return *integersOf(k);
}

const onnx::AttributeProto* NodeArgs::attribute(const std::string& name) const {
  for (const onnx::AttributeProto& a : node_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

bool NodeArgs::hasAttribute(const std::string& name) const {
  return attribute(name) != nullptr;
}

int64_t NodeArgs::integer(const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* a = attribute(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT) fail("attribute " + name + " is not an integer");
  return a->i();
}

double NodeArgs::real(const std::string& name, double fallback) const {
  const onnx::AttributeProto* a = attribute(name);
  if (!a) return fallback;
  if (a->type() == onnx::AttributeProto::INT) return static_cast<double>(a->i());
  if (a->type() != onnx::AttributeProto::FLOAT) fail("attribute " + name + " is not a number");
  return static_cast<double>(a->f());
}

std::string NodeArgs::text(const std::string& name, const std::string& fallback) const {
  const onnx::AttributeProto* a = attribute(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::STRING) fail("attribute " + name + " is not a string");
  return a->s();
}

std::optional<std::vector<int64_t>> NodeArgs::integers(const std::string& name) const {
  const onnx::AttributeProto* a = attribute(name);
  if (!a) return std::nullopt;
  if (a->type() != onnx::AttributeProto::INTS) fail("attribute " + name + " is not a list of integers");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<std::vector<double>> NodeArgs::reals(const std::string& name) const {
  const onnx::AttributeProto* a = attribute(name);
  if (!a) return std::nullopt;
  if (a->type() != onnx::AttributeProto::FLOATS) fail("attribute " + name + " is not a list of numbers");
  return std::vector<double>(a->floats().begin(), a->floats().end());
}

int NodeArgs::axis(int64_t axis, int rank, const std::string& what) const {
  if (axis < -rank || axis >= rank)
    fail(what + " " + std::to_string(axis) + " is outside a tensor of rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace lstmscope::onnx_eval
