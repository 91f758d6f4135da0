#include "core/analysis/step_mapping.h"

#include <algorithm>

namespace lstmscope {

long StepMapping::map(long t) const {
  if (t < 0 || t >= oldSteps) return -1;
  if (t < prefix) return t;
  if (t >= oldSteps - suffix) return t + (newSteps - oldSteps);
  return -1;
}

StepMapping::Span StepMapping::mapSpan(long first, long end) const {
  if (first >= end) return {};
  const long a = map(first), b = map(end - 1);
  // Both ends on the same side of the edit: the span holds the same tokens.
  if (a < 0 || b < 0 || (first < prefix) != (end - 1 < prefix)) return {};
  return {a, b + 1};
}

StepMapping mapSteps(long oldSteps, long newSteps, const std::function<bool(long, long)>& same) {
  StepMapping m;
  m.oldSteps = oldSteps, m.newSteps = newSteps;
  const long shorter = std::min(oldSteps, newSteps);
  while (m.prefix < shorter && same(m.prefix, m.prefix)) ++m.prefix;
  // The suffix may not reach into the prefix: with repeated tokens an insertion is ambiguous, and the
  // prefix is taken first (the edit is placed as late as it can be).
  while (m.suffix < shorter - m.prefix && same(oldSteps - 1 - m.suffix, newSteps - 1 - m.suffix)) ++m.suffix;
  return m;
}

}  // namespace lstmscope
