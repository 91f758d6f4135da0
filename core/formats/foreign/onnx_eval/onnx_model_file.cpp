#include "core/formats/foreign/onnx_eval/onnx_model_file.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/common/error.h"

namespace lstmscope::onnx_eval {

namespace {

constexpr uint64_t kMaxBytes = uint64_t(2) << 30;  // protobuf's own message limit

template <class Message>
void parseFile(const std::string& path, Message& message, const char* what) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, "cannot be read (" + ec.message() + ")");
  if (size > kMaxBytes) throw InputError(path, std::string("is larger than an ONNX ") + what + " can be");
  std::ifstream in(path, std::ios::binary);
  if (!in || !message.ParseFromIstream(&in)) throw InputError(path, std::string("is not an ONNX ") + what);
}

}  // namespace

OnnxModelFile OnnxModelFile::read(const std::string& path) {
  auto model = std::make_shared<onnx::ModelProto>();
  parseFile(path, *model, "model");
  if (!model->has_graph()) throw InputError(path, "holds no graph");
  OnnxModelFile file;
  for (const auto& o : model->opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") file.opset_ = o.version();
  file.model_ = std::move(model);
  file.path_ = path;
  return file;
}

std::vector<std::string> OnnxModelFile::inputNames() const {
  std::set<std::string> initialized;
  for (const auto& init : model_->graph().initializer()) initialized.insert(init.name());
  std::vector<std::string> out;
  for (const auto& input : model_->graph().input())
    if (!initialized.count(input.name())) out.push_back(input.name());
  return out;
}

std::vector<std::string> OnnxModelFile::outputNames() const {
  std::vector<std::string> out;
  for (const auto& o : model_->graph().output()) out.push_back(o.name());
  return out;
}

namespace {

DeclaredValue declared(const onnx::ValueInfoProto& value) {
  const onnx::TypeProto_Tensor& type = value.type().tensor_type();
  DeclaredValue d;
  d.name = value.name();
  d.type = elementTypeOfOnnx(type.elem_type()).value_or(ElementType::Float32);
  d.ranked = type.has_shape();
  for (const auto& dim : type.shape().dim())
    d.shape.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : -1);
  return d;
}

}  // namespace

std::vector<DeclaredValue> OnnxModelFile::declaredInputs() const {
  const std::vector<std::string> names = inputNames();
  std::vector<DeclaredValue> out;
  for (const auto& input : model_->graph().input())
    if (std::find(names.begin(), names.end(), input.name()) != names.end()) out.push_back(declared(input));
  return out;
}

std::vector<DeclaredValue> OnnxModelFile::declaredOutputs() const {
  std::vector<DeclaredValue> out;
  for (const auto& o : model_->graph().output()) out.push_back(declared(o));
  return out;
}

Values OnnxModelFile::exampleInputs(int64_t longest) const {
  Values out;
  for (const DeclaredValue& input : declaredInputs()) {
    Tensor t;
    t.type = input.type;
    for (int64_t d : input.shape) t.shape.push_back(d > 0 ? std::min(d, longest) : longest);
    t.values.resize(static_cast<size_t>(elementCount(t.shape)));
    for (size_t k = 0; k < t.values.size(); ++k)  // small, varied, the same every time
      t.values[k] = isFloating(t.type) ? std::sin(0.7 * static_cast<double>(k) + 0.3) : static_cast<double>(k % 2);
    t.roundToType();
    out[input.name] = std::move(t);
  }
  return out;
}

Values OnnxModelFile::run(const Values& inputs, const std::vector<std::string>& wanted,
                          const NodeObserver& observer) const {
  return GraphEvaluator(model_->graph(), opset_, path_).run(inputs, wanted, observer, constants_.get());
}

Tensor readTensorFile(const std::string& path) {
  onnx::TensorProto proto;
  parseFile(path, proto, "tensor");
  return tensorFromProto(proto, path);
}

}  // namespace lstmscope::onnx_eval
