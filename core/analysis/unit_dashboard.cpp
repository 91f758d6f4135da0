#include "core/analysis/unit_dashboard.h"

#include <algorithm>

#include "core/analysis/recording.h"
#include "core/analysis/trace_window.h"
#include "core/common/error.h"

namespace lstmscope {
namespace {

constexpr long kScanSteps = 8192;  // steps per read of a summary pass: 16 MB for 512 float32 units

UnitContext contextOf(const UnitValues& values, int unit, long step, float value, int radius) {
  const auto& offsets = values.documentOffsets;
  UnitContext c;
  c.step = step, c.value = value;
  c.document = static_cast<int>(std::upper_bound(offsets.begin(), offsets.end(), step) - offsets.begin()) - 1;
  c.first = std::max<long>(offsets[c.document], step - radius);
  const long end = std::min<long>(offsets[c.document + 1], step + radius + 1);
  if (values.tokens) c.tokens = values.tokens(c.first, end - c.first);
  const Mat<float> window = values.read(c.first, end - c.first);
  c.values.assign(window.cols(), 0);
  for (long k = 0; k < window.cols(); ++k) c.values[k] = window(unit, k);
  return c;
}

}  // namespace

UnitValues traceUnitValues(const TraceReader& trace, int layer, int direction, Quantity q) {
  requireRecorded(trace, layer, direction, q);
  UnitValues v;
  v.steps = trace.steps(), v.units = trace.units(layer), v.documentOffsets = trace.documentOffsets();
  v.read = [&trace, layer, direction, q](long first, long count) {
    return trace.read(layer, direction, q, first, count);
  };
  if (trace.hasTokenText()) v.tokens = [&trace](long first, long count) { return trace.tokenText(first, count); };
  return v;
}

UnitValues recordingUnitValues(const Recording& recording, int layer, int direction, Quantity q) {
  UnitValues v;
  v.steps = recording.steps, v.units = recording.hidden(layer), v.documentOffsets = {0, recording.steps};
  const Mat<float>& all = recording.values(layer, direction, q);
  v.read = [&all](long first, long count) -> Mat<float> { return all.middleCols(first, count); };
  if (!recording.tokens.empty())
    v.tokens = [&recording](long first, long count) {
      return std::vector<std::string>(recording.tokens.begin() + first, recording.tokens.begin() + first + count);
    };
  return v;
}

UnitSummaries summarizeUnits(const UnitValues& values, const ProgressCallbacks& progress) {
  UnitSummaryBuilder builder(values.units, values.documentOffsets);
  for (long first = 0; first < values.steps; first += kScanSteps) {
    checkCancelled(progress);
    const long count = std::min(kScanSteps, values.steps - first);
    const Mat<float> block = values.read(first, count);  // (H, count): step k is column k
    builder.add(first, count, block.data(), block.rows());
    reportProgress(progress, first + count, values.steps);
  }
  return builder.finish();
}

QuantitySummaries quantitySummaries(const TraceReader& trace, int layer, int direction, Quantity q,
                                    const ProgressCallbacks& progress) {
  requireRecorded(trace, layer, direction, q);
  if (trace.hasUnitSummaries(layer, direction, q)) return {trace.unitSummaries(layer, direction, q), true};
  return {summarizeUnits(traceUnitValues(trace, layer, direction, q), progress), false};
}

UnitDashboard unitDashboard(const UnitValues& values, const QuantitySummaries& summaries, int unit,
                            const std::string& source, int radius) {
  const UnitSummaries& s = summaries.summaries;
  if (unit < 0 || unit >= s.units || s.units != values.units)
    throw InputError(source, "unit " + std::to_string(unit) + " does not exist (the layer has " +
                                 std::to_string(values.units) + " units)");
  UnitDashboard d;
  const auto u = static_cast<size_t>(unit);
  d.unit = unit, d.stored = summaries.stored;
  d.count = s.count[u], d.nonFinite = s.nonFinite[u];
  d.mean = s.mean[u], d.stddev = s.stddev[u], d.min = s.min[u], d.max = s.max[u];
  d.binStart = s.binStart[u], d.binWidth = s.binWidth[u];
  const auto bins = static_cast<size_t>(s.options.bins), top = static_cast<size_t>(s.options.top);
  d.histogram.assign(s.histogram.begin() + static_cast<long>(u * bins),
                     s.histogram.begin() + static_cast<long>((u + 1) * bins));
  const auto contexts = [&](const std::vector<int64_t>& steps, const std::vector<float>& extremes) {
    std::vector<UnitContext> out;
    for (size_t k = 0; k < top && steps[u * top + k] >= 0; ++k)
      out.push_back(contextOf(values, unit, static_cast<long>(steps[u * top + k]), extremes[u * top + k], radius));
    return out;
  };
  d.highest = contexts(s.highSteps, s.highValues);
  d.lowest = contexts(s.lowSteps, s.lowValues);
  return d;
}

}  // namespace lstmscope
