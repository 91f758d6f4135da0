#include "core/analysis/trace_match.h"

#include "core/analysis/on_rule.h"
#include "core/analysis/trace_window.h"
#include "core/common/error.h"

namespace lstmscope {

TraceMatch matchTrace(const TraceReader& trace, int layer, int direction, Quantity q, const MatchQuery& query,
                      bool useIndex, const ProgressCallbacks& progress) {
  requireRecorded(trace, layer, direction, q);
  const int units = trace.units(layer);
  for (int u : query.units)
    if (u >= units)
      throw InputError(trace.path(), "unit " + std::to_string(u) + " does not exist (layer " + std::to_string(layer) +
                                         " has " + std::to_string(units) + " units)");
  // The index holds the default rule's answer for every value: the same result as the scan, reading a bit
  // per value instead of a number.
  const OnRule rule = defaultOnRule(q);
  TraceMatch out;
  out.fromIndex =
      useIndex && query.threshold == rule.threshold && query.tanh == rule.tanh && trace.hasOnIndex(layer, direction, q);
  if (out.fromIndex) {
    const auto bits = [&](long first, long count) { return trace.readOnIndex(layer, direction, q, first, count); };
    out.result = findMatchesInIndex(bits, units, trace.documentOffsets(), query, progress);
  } else {
    const auto values = [&](long first, long count) { return trace.read(layer, direction, q, first, count); };
    out.result = findMatches(values, units, trace.documentOffsets(), query, progress);
  }
  return out;
}

}  // namespace lstmscope
