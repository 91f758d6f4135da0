// The property of the text a probe asks about (docs/PROBES.md "Labels"): one value per step, a number
// (bracket depth), 0/1 (inside a string) or a category (a part-of-speech tag).
#pragma once

#include <string>
#include <vector>

namespace lstmscope {

enum class LabelKind { Scalar, Binary, Categorical };
const char* labelKindName(LabelKind kind);  // "scalar", "binary", "categorical"

struct ProbeLabel {
  std::string source;  // "builtin:quote", "regex:…", "file:…", "meta:…"
  LabelKind kind = LabelKind::Scalar;
  std::vector<double> values;           // one per step: the number, 0/1, or the category's index
  std::vector<std::string> categories;  // Categorical: the names, by index
  long size() const { return static_cast<long>(values.size()); }
};

// A label from per-step values: categories make it Categorical; numbers that are all 0 or 1 (both
// present) Binary; other numbers Scalar. Throws std::invalid_argument for a non-finite number.
ProbeLabel makeProbeLabel(std::string source, std::vector<double> values, std::vector<std::string> categories);

}  // namespace lstmscope
