#include "core/probing/probe_label.h"

#include <cmath>
#include <stdexcept>

namespace lstmscope {

const char* labelKindName(LabelKind kind) {
  switch (kind) {
    case LabelKind::Binary:
      return "binary";
    case LabelKind::Categorical:
      return "categorical";
    case LabelKind::Scalar:
      break;
  }
  return "scalar";
}

ProbeLabel makeProbeLabel(std::string source, std::vector<double> values, std::vector<std::string> categories) {
  ProbeLabel label;
  label.source = std::move(source);
  bool zero = false, one = false, binary = true;
  for (const double v : values) {
    if (!std::isfinite(v))
      throw std::invalid_argument("the label " + label.source + " has a value that is not a number");
    zero |= v == 0, one |= v == 1, binary &= v == 0 || v == 1;
  }
  label.kind = !categories.empty()     ? LabelKind::Categorical
               : binary && zero && one ? LabelKind::Binary
                                       : LabelKind::Scalar;
  label.values = std::move(values);
  label.categories = std::move(categories);
  return label;
}

}  // namespace lstmscope
