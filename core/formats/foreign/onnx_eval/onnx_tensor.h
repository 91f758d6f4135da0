// The values an ONNX graph computes, as the operator evaluator holds them (docs/IMPORT.md "Operators
// evaluated outside the LSTM"): an element type, a shape, and the elements in row-major order, held as
// doubles. float32 results are rounded to float32 by every operator, so a float32 graph computes what a
// float32 runtime computes up to rounding inside one operator; int64 shapes and indices are exact up
// to 2^53, far beyond any tensor we accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
}

namespace lstmscope::onnx_eval {

enum class ElementType { Float32, Float64, Int64, Int32, Bool };

// "float32", "int64", …
const char* elementTypeName(ElementType type);
// The element type of ONNX's TensorProto::DataType `dataType`, or none for the types the evaluator does not
// compute with.
std::optional<ElementType> elementTypeOfOnnx(int dataType);
bool isFloating(ElementType type);

using Shape = std::vector<int64_t>;

struct Tensor {
  ElementType type = ElementType::Float32;
  Shape shape;                 // empty: a scalar
  std::vector<double> values;  // row-major, count(shape) of them

  static Tensor filled(ElementType type, Shape shape, double value);
  int64_t count() const;
  int rank() const { return static_cast<int>(shape.size()); }
  // The values as integers (shape arithmetic, axes, indices).
  std::vector<int64_t> integers() const;
  // Rounds every value to what the element type holds (float32 rounding, integer truncation).
  void roundToType();
};

int64_t elementCount(const Shape& shape);
// Row-major strides of `shape`, in elements.
std::vector<int64_t> stridesOf(const Shape& shape);
// "[2, 3, 4]"
std::string shapeText(const Shape& shape);

// A TensorProto's values (raw or typed fields). Throws InputError naming the tensor when its type is not
// one of ElementType or its data does not fit its shape.
Tensor tensorFromProto(const onnx::TensorProto& proto, const std::string& source);

}  // namespace lstmscope::onnx_eval
