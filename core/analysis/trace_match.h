// A match query (core/analysis/match.h) answered over a trace file: from the trace's match index when it
// holds the query's rule, else by scanning the values. One function for the CLI and the app, so that the
// same query gives the same list in both.
#pragma once

#include "core/analysis/match.h"
#include "core/formats/trace_file.h"

namespace lstmscope {

struct TraceMatch {
  MatchResult result;
  bool fromIndex = false;  // answered from /index rather than by scanning the values
};

// Throws InputError (naming the trace) when the trace does not record the layer, direction or quantity,
// or a unit of the query does not exist.
TraceMatch matchTrace(const TraceReader& trace, int layer, int direction, Quantity q, const MatchQuery& query,
                      bool useIndex = true, const ProgressCallbacks& progress = {});

}  // namespace lstmscope
