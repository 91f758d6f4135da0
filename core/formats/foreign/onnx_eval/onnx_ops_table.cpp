// The operator table and numpy broadcasting, shared by the operator families.
#include <algorithm>
#include <cstdio>

#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

const OperatorTable& operatorTable() {
  static const OperatorTable table = [] {
    OperatorTable t;
    addElementwiseOperators(t);
    addShapeOperators(t);
    addLinearOperators(t);
    addWindowOperators(t);
    addRecurrentOperators(t);
    return t;
  }();
  return table;
}

void requireWorkWithinBudget(const NodeArgs& args, double multiplyAdds) {
  constexpr double kBudget = 2e9;
  if (multiplyAdds > kBudget) {
    char text[64];
    std::snprintf(text, sizeof text, "%.3g", multiplyAdds);
    args.fail(std::string("needs ") + text + " multiply-adds, more than the 2e9 any front end or head needs");
  }
}

Shape broadcastShape(const NodeArgs& args, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t da = k + a.size() >= rank ? a[k + a.size() - rank] : 1;
    const int64_t db = k + b.size() >= rank ? b[k + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1)
      args.fail("shapes " + shapeText(a) + " and " + shapeText(b) + " do not broadcast");
    out[k] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcastSources(const Shape& in, const Shape& out) {
  const size_t rank = out.size();
  // The input's strides aligned to the output's axes, 0 along the axes it is repeated over.
  std::vector<int64_t> strides(rank, 0);
  const std::vector<int64_t> own = stridesOf(in);
  for (size_t k = 0; k < in.size(); ++k)
    if (in[k] != 1) strides[rank - in.size() + k] = own[k];
  const int64_t n = elementCount(out);
  std::vector<int64_t> sources(static_cast<size_t>(n));
  std::vector<int64_t> index(rank, 0);
  int64_t source = 0;
  for (int64_t k = 0; k < n; ++k) {
    sources[static_cast<size_t>(k)] = source;
    for (int axis = static_cast<int>(rank) - 1; axis >= 0; --axis) {  // the next index, odometer-wise
      const auto a = static_cast<size_t>(axis);
      source += strides[a];
      if (++index[a] < out[a]) break;
      source -= strides[a] * out[a];
      index[a] = 0;
    }
  }
  return sources;
}

}  // namespace lstmscope::onnx_eval
