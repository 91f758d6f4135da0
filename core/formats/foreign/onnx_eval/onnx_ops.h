// The operators the evaluator computes (docs/IMPORT.md "Operators evaluated outside the LSTM"), forward
// only, each as ONNX's operator documentation defines it for the opsets up to 17. Each family registers
// itself into one table; the evaluator looks an operator up by its type (If and Constant are the
// evaluator's own: they read subgraphs and attributes, not tensors).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/formats/foreign/onnx_eval/onnx_node_args.h"

namespace lstmscope::onnx_eval {

using Operator = std::function<std::vector<Tensor>(const NodeArgs&)>;
using OperatorTable = std::map<std::string, Operator>;

void addElementwiseOperators(OperatorTable& table);  // Add … Pow, Relu … Clip, Cast, comparisons
void addShapeOperators(OperatorTable& table);        // Reshape, Transpose, Slice, Gather, Pad, …
void addLinearOperators(OperatorTable& table);       // MatMul, Gemm, Softmax, BatchNormalization, Reduce*
void addWindowOperators(OperatorTable& table);       // Conv, MaxPool, AveragePool
void addRecurrentOperators(OperatorTable& table);    // LSTM

// Every operator above, built once.
const OperatorTable& operatorTable();

// The shape two tensors broadcast to (numpy's rules), refused by the node's name when they do not.
Shape broadcastShape(const NodeArgs& args, const Shape& a, const Shape& b);
// For each element of `out` (row-major), the element of a tensor of `in` shape that broadcasts to it.
std::vector<int64_t> broadcastSources(const Shape& in, const Shape& out);

// Refuses a node whose multiply-adds exceed what any front end or head needs (a crafted shape would
// otherwise run for hours): 2·10^9, about a second.
void requireWorkWithinBudget(const NodeArgs& args, double multiplyAdds);

// Calls f(index) for every index of `shape` in row-major order (index: one coordinate per axis).
template <class F>
void forEachIndex(const Shape& shape, F f) {
  const int64_t n = elementCount(shape);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    f(static_cast<const std::vector<int64_t>&>(index));
    for (int axis = static_cast<int>(shape.size()) - 1; axis >= 0; --axis) {
      const auto a = static_cast<size_t>(axis);
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
}

}  // namespace lstmscope::onnx_eval
