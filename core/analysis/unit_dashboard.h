// One unit seen over a whole trace or an analysed text (the unit dashboard, docs/APP.md "Unit dashboard"):
// its summary (core/analysis/unit_summary.h) and the text around the steps where it is highest and lowest.
// The CLI's `unit` command and the app's Unit dock both build it here.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/analysis/unit_summary.h"
#include "core/common/progress.h"
#include "core/formats/trace_file.h"

namespace lstmscope {

struct Recording;

// The values of one layer, direction and quantity, however they are held: a trace read by windows, or a
// recording in memory.
struct UnitValues {
  long steps = 0;
  int units = 0;
  std::vector<int64_t> documentOffsets;                                    // D+1, from 0 to steps
  std::function<Mat<float>(long first, long count)> read;                  // (units, count): column k is step first + k
  std::function<std::vector<std::string>(long first, long count)> tokens;  // unset: no token text
};
// Throw InputError (naming the trace) when the layer, direction or quantity is not recorded.
UnitValues traceUnitValues(const TraceReader& trace, int layer, int direction, Quantity q);
UnitValues recordingUnitValues(const Recording& recording, int layer, int direction, Quantity q);

// Every unit's summaries, by one pass over the values.
UnitSummaries summarizeUnits(const UnitValues& values, const ProgressCallbacks& progress = {});

// Every unit's summaries of one quantity: the ones the trace stores, else computed by a pass over the
// trace's values (the same numbers: the builder does not depend on the order of the steps).
struct QuantitySummaries {
  UnitSummaries summaries;
  bool stored = false;  // read from /summaries rather than computed by a pass over the values
};
// Throws InputError naming the trace when it does not record the layer, direction or quantity.
QuantitySummaries quantitySummaries(const TraceReader& trace, int layer, int direction, Quantity q,
                                    const ProgressCallbacks& progress = {});

struct UnitContext {
  long step = 0;    // the trace step of the extreme value
  float value = 0;  // the unit's value there
  int document = 0;
  long first = 0;                   // the trace step of tokens[0]: the context never crosses its document's borders
  std::vector<std::string> tokens;  // empty when the trace has no token text
  std::vector<float> values;        // the unit's value at each step of the context
};

struct UnitDashboard {
  int unit = 0;
  int64_t count = 0, nonFinite = 0;
  double mean = 0, stddev = 0, min = 0, max = 0;
  double binStart = 0, binWidth = 0;
  std::vector<int64_t> histogram;
  std::vector<UnitContext> highest, lowest;  // best first
  bool stored = false;
};

// `radius` steps of context on each side of every extreme step (within its document). Throws InputError
// naming `source` for a unit out of range.
UnitDashboard unitDashboard(const UnitValues& values, const QuantitySummaries& summaries, int unit,
                            const std::string& source, int radius = 10);

}  // namespace lstmscope
