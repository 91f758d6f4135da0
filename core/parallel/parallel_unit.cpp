#include "core/parallel/parallel_unit.h"

#include "core/analysis/trace_window.h"
#include "core/parallel/parallel_record.h"
#include "core/parallel/ranks.h"

namespace lstmscope {

QuantitySummaries quantitySummariesAcrossRanks(const TraceReader& trace, int layer, int direction, Quantity q,
                                               const ProgressCallbacks& progress) {
  requireRecorded(trace, layer, direction, q);  // the same answer on every rank: no need to agree
  if (trace.hasUnitSummaries(layer, direction, q)) return {trace.unitSummaries(layer, direction, q), true};
  const std::vector<int64_t>& offsets = trace.documentOffsets();
  const DocumentShare mine = shareDocuments(offsets, ranks::size())[static_cast<size_t>(ranks::rank())];
  const int units = trace.units(layer);
  std::string failure;
  UnitSummaryBuilder builder(units, offsets);
  try {
    constexpr long kScanSteps = 8192;  // as the serial pass: 16 MB for 512 float32 units
    const long first = offsets[static_cast<size_t>(mine.first)], end = offsets[static_cast<size_t>(mine.end)];
    for (long t = first; t < end; t += kScanSteps) {
      checkCancelled(progress);
      const long count = std::min(kScanSteps, end - t);
      const Mat<float> block = trace.read(layer, direction, q, t, count);
      builder.add(t, count, block.data(), block.rows());
      reportProgress(progress, t + count - first, end - first);
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  ranks::throwIfAnyFailed(failure);
  const std::vector<std::vector<uint8_t>> parts = ranks::allGather(builder.serialize());
  UnitSummaryBuilder merged = UnitSummaryBuilder::deserialize(parts[0], units, offsets);
  for (size_t r = 1; r < parts.size(); ++r) merged.merge(UnitSummaryBuilder::deserialize(parts[r], units, offsets));
  return {merged.finish(), false};
}

}  // namespace lstmscope
