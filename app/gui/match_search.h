// The match view's search, without widgets: LSTMVis's match query (core/analysis/match.h) over the open
// trace or the analysed text, and the rows the match view shows for its results (context, on-counts, meta
// tracks). Runs on a job's thread; everything it reads is immutable and shared.
#pragma once

#include <memory>
#include <vector>

#include "core/analysis/match.h"
#include "core/analysis/recording.h"
#include "viz/match_rows_view.h"

namespace lstmscope {
class TraceReader;
}

namespace lstmscope::app {

// Where to search: a trace (every document), or else the analysed recording (one document).
struct MatchSource {
  std::shared_ptr<const TraceReader> trace;
  std::shared_ptr<const Recording> recording;
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::C;
  // The trace's meta tracks, as the heatmap colours them (AnalysisResult::metaStyles); rows read their values.
  std::shared_ptr<const std::vector<viz::MetaTrackStyle>> metaStyles;
};

struct MatchFound {
  MatchResult result;
  bool fromIndex = false;
  std::vector<viz::MatchRow> rows;  // one per match, best first
  std::vector<viz::MetaTrackStyle> meta;
  int selected = 0;
};

// Context steps shown on each side of a run, and of a long run its first and last this many steps.
inline constexpr long kMatchContext = 6;
inline constexpr long kRunShown = 12;

// Throws InputError for a query the source cannot answer (a unit out of range, a quantity not recorded).
MatchFound searchMatches(const MatchSource& source, const MatchQuery& query, const ProgressCallbacks& progress);

}  // namespace lstmscope::app
