// LSTMVis's match view over a whole corpus (docs/CLI.md "match"): from a set of selected units, every run of
// steps where they are on, ranked by how well the units on during the run agree with the selection. One
// streaming pass over the steps, with no cap on the number of candidates and results that do not depend
// on where in the corpus a run is.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/common/progress.h"
#include "core/model/model.h"

namespace lstmscope {

struct MatchQuery {
  std::vector<int> units;       // S: the selected units (distinct, each < the reader's unit count)
  double threshold = 0.3;       // a unit is on at a step when its value is >= this
  bool tanh = false;            // compare tanh(value) (LSTMVis's view of cell states) instead of the value
  bool constrainLeft = false;   // the matched units must be off at the step before the run
  bool constrainRight = false;  // ... and at the step after it
  long phraseLength = 0;        // 0: runs of 2 steps or more; N: runs of exactly N steps
  int top = 50;                 // how many matches to return
};

struct Match {
  long start = 0, length = 0;  // trace steps [start, start + length)
  int document = 0;
  int intersection = 0, unionSize = 0;  // |S ∩ S2|, |S ∪ S2|
  std::vector<int> units;               // S2, ascending
};

struct MatchResult {
  std::vector<Match> matches;  // best first
  long candidates = 0;         // distinct runs considered
  long steps = 0;
};

// Reads steps [first, first + count) of one quantity as a (units, count) matrix.
using StepWindowReader = std::function<Mat<float>(long first, long count)>;

// The matches of `query` over documents [offsets[d], offsets[d+1]) (D+1 offsets from 0 to the steps;
// runs never cross a document's border, and a border counts as off). Throws std::invalid_argument for a
// query the reader cannot answer (no unit, a unit out of range, a negative phrase length). Progress in
// steps; cancelling throws Cancelled.
MatchResult findMatches(const StepWindowReader& read, int units, const std::vector<int64_t>& offsets,
                        const MatchQuery& query, const ProgressCallbacks& progress = {});

// Reads steps [first, first + count) of a trace's on-index: per step (units + 7) / 8 bytes, unit u at bit
// u % 8 of byte u / 8 (docs/FORMAT.md "Match index").
using StepBitsReader = std::function<std::vector<uint8_t>(long first, long count)>;

// The same matches from the index a trace recorded for the query's rule (its threshold and transform must
// be the index's): it reads one bit per value instead of a number, so a query costs 1/16 of a float16 scan.
MatchResult findMatchesInIndex(const StepBitsReader& read, int units, const std::vector<int64_t>& offsets,
                               const MatchQuery& query, const ProgressCallbacks& progress = {});

// Ranking: larger |S ∩ S2| first, then smaller |S ∪ S2|, then longer runs, then earlier starts.
bool rankedBefore(const Match& a, const Match& b);

}  // namespace lstmscope

namespace lstmscope {

// What a match view row shows around a match: the steps [first, end) of its document within `context`
// steps of the run, and at each of them how many of the query's units are on (by the query's rule). A
// run longer than 2 * `runShown` steps shows its first and last `runShown` steps only: the steps
// [gapFirst, gapEnd) are left out (gapFirst == gapEnd: none).
struct MatchContext {
  long first = 0, end = 0;
  long gapFirst = 0, gapEnd = 0;
  std::vector<long> steps;   // the steps shown, in order
  std::vector<int> onCount;  // one per shown step
};
MatchContext matchContext(const StepWindowReader& read, const std::vector<int64_t>& offsets, const Match& match,
                          const MatchQuery& query, long context, long runShown);

}  // namespace lstmscope
