#include "core/formats/foreign/onnx_eval/onnx_tensor.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/common/error.h"

namespace lstmscope::onnx_eval {

namespace {

// 512 MB of doubles: an hour of 16 kHz audio fits; a crafted shape does not (the fuzzer's 2^28-element
// Pad took 20 s under ASan).
constexpr int64_t kMaxElements = int64_t(1) << 26;

template <class T>
void appendRaw(const std::string& raw, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  out.resize(n);
  for (size_t k = 0; k < n; ++k) {
    T v;
    std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));
    out[k] = static_cast<double>(v);
  }
}

}  // namespace

const char* elementTypeName(ElementType type) {
  switch (type) {
    case ElementType::Float32:
      return "float32";
    case ElementType::Float64:
      return "float64";
    case ElementType::Int64:
      return "int64";
    case ElementType::Int32:
      return "int32";
    case ElementType::Bool:
      return "bool";
  }
  return "?";
}

bool isFloating(ElementType type) {
  return type == ElementType::Float32 || type == ElementType::Float64;
}

int64_t elementCount(const Shape& shape) {
  // The product of the non-zero dimensions is bounded too: operators loop over them (a [2^40, 0, 2^40]
  // tensor is empty, but a softmax over its axes would still count to 2^80).
  int64_t n = 1, loops = 1;
  for (int64_t d : shape) {
    if (d < 0) throw InputError("a tensor has a negative dimension (" + shapeText(shape) + ")");
    const int64_t nonZero = std::max<int64_t>(d, 1);
    if (loops > kMaxElements / nonZero) throw InputError("a tensor of shape " + shapeText(shape) + " is too large");
    loops *= nonZero, n *= d;
  }
  return n;
}

std::vector<int64_t> stridesOf(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int k = static_cast<int>(shape.size()) - 2; k >= 0; --k)
    strides[static_cast<size_t>(k)] = strides[static_cast<size_t>(k) + 1] * shape[static_cast<size_t>(k) + 1];
  return strides;
}

std::string shapeText(const Shape& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + "]";
}

Tensor Tensor::filled(ElementType type, Shape shape, double value) {
  Tensor t{type, std::move(shape), {}};
  t.values.assign(static_cast<size_t>(elementCount(t.shape)), value);
  return t;
}

int64_t Tensor::count() const {
  return elementCount(shape);
}

std::vector<int64_t> Tensor::integers() const {
  std::vector<int64_t> out(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    // INT64_MAX (torch's open slice end) is 2^63 as a double, which does not convert: saturate.
    if (std::isnan(values[k])) throw InputError("an index or shape value is not a number");
    out[k] = values[k] >= 9.2e18 ? INT64_MAX : values[k] <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(values[k]);
  }
  return out;
}

void Tensor::roundToType() {
  switch (type) {
    case ElementType::Float32:
      for (double& v : values) v = static_cast<double>(static_cast<float>(v));
      break;
    case ElementType::Float64:
      break;
    case ElementType::Int64:
    case ElementType::Int32:
      for (double& v : values) v = std::trunc(v);
      break;
    case ElementType::Bool:
      for (double& v : values) v = v != 0 ? 1 : 0;
      break;
  }
}

std::optional<ElementType> elementTypeOfOnnx(int dataType) {
  switch (dataType) {
    case onnx::TensorProto::FLOAT:
      return ElementType::Float32;
    case onnx::TensorProto::DOUBLE:
      return ElementType::Float64;
    case onnx::TensorProto::INT64:
      return ElementType::Int64;
    case onnx::TensorProto::INT32:
      return ElementType::Int32;
    case onnx::TensorProto::BOOL:
      return ElementType::Bool;
    default:
      return std::nullopt;
  }
}

Tensor tensorFromProto(const onnx::TensorProto& proto, const std::string& source) {
  const std::string name = "tensor " + (proto.name().empty() ? std::string("(unnamed)") : proto.name());
  Tensor t;
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t n = 0;
  try {
    n = elementCount(t.shape);
  } catch (const InputError& e) {
    throw InputError(source, name + ": " + e.what());
  }
  if (proto.has_data_location() && proto.data_location() == onnx::TensorProto::EXTERNAL)
    throw InputError(source, name + " keeps its data in an external file, which LSTMScope does not read");
  const std::string& raw = proto.raw_data();
  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT:
      t.type = ElementType::Float32;
      if (proto.has_raw_data())
        appendRaw<float>(raw, t.values);
      else
        t.values.assign(proto.float_data().begin(), proto.float_data().end());
      break;
    case onnx::TensorProto::DOUBLE:
      t.type = ElementType::Float64;
      if (proto.has_raw_data())
        appendRaw<double>(raw, t.values);
      else
        t.values.assign(proto.double_data().begin(), proto.double_data().end());
      break;
    case onnx::TensorProto::INT64:
      t.type = ElementType::Int64;
      if (proto.has_raw_data())
        appendRaw<int64_t>(raw, t.values);
      else
        t.values.assign(proto.int64_data().begin(), proto.int64_data().end());
      break;
    case onnx::TensorProto::INT32:
      t.type = ElementType::Int32;
      if (proto.has_raw_data())
        appendRaw<int32_t>(raw, t.values);
      else
        t.values.assign(proto.int32_data().begin(), proto.int32_data().end());
      break;
    case onnx::TensorProto::BOOL:
      t.type = ElementType::Bool;
      if (proto.has_raw_data())
        appendRaw<uint8_t>(raw, t.values);
      else
        t.values.assign(proto.int32_data().begin(), proto.int32_data().end());
      break;
    default:
      throw InputError(
          source, name + " has element type " +
                      onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(proto.data_type())) +
                      ", which the evaluator does not compute with (float32, float64, int64, int32, bool)");
  }
  if (static_cast<int64_t>(t.values.size()) != n)
    throw InputError(source, name + " holds " + std::to_string(t.values.size()) + " values, not the " +
                                 std::to_string(n) + " its shape " + shapeText(t.shape) + " needs");
  return t;
}

}  // namespace lstmscope::onnx_eval
