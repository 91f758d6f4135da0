// The unit dashboard's summaries of a trace that stores none (an older trace), computed across the ranks of
// an MPI run (docs/SCALING.md): each rank summarises its share of the documents, and the builders merge into
// the serial pass's numbers, bit for bit (core/analysis/unit_summary.h).
#pragma once

#include "core/analysis/unit_dashboard.h"

namespace lstmscope {

// quantitySummaries (core/analysis/unit_dashboard.h) with the pass over the values shared among the ranks.
// Collective; every rank gets the summaries. `progress`: the calling rank's own steps.
QuantitySummaries quantitySummariesAcrossRanks(const TraceReader& trace, int layer, int direction, Quantity q,
                                               const ProgressCallbacks& progress = {});

}  // namespace lstmscope
