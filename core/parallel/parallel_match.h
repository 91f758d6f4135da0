// `match` across the ranks of an MPI run (docs/SCALING.md): runs never cross a document's border, so each rank
// scans its share of the trace's documents and the root ranks the union of their best matches. The answer is
// the serial one: the ranking is a total order (a run's start breaks every tie).
#pragma once

#include "core/analysis/trace_match.h"
#include "core/parallel/parallel_record.h"

namespace lstmscope {

// matchTrace (core/analysis/trace_match.h) with the documents shared among the ranks. Collective. Every rank
// gets the whole answer. `progress`: the calling rank's own steps.
TraceMatch matchTraceAcrossRanks(const TraceReader& trace, int layer, int direction, Quantity q,
                                 const MatchQuery& query, bool useIndex = true, const ProgressCallbacks& progress = {});

// The matches of `query` in documents [share.first, share.end) of a trace (`offsets`: all its documents), with
// the trace's steps and document numbers: what one rank finds.
MatchResult findMatchesInDocuments(const StepWindowReader& read, int units, const std::vector<int64_t>& offsets,
                                   DocumentShare share, const MatchQuery& query,
                                   const ProgressCallbacks& progress = {});

// The best `top` of several ranks' answers (each ranked best first, over disjoint steps), as one scan of
// every step would rank them; candidates and steps add up.
MatchResult mergeMatchResults(const std::vector<MatchResult>& parts, int top);

}  // namespace lstmscope
