// The probes' unit ranking (core/probing/unit_ranking.h) across the ranks of an MPI run (docs/SCALING.md):
// the units are shared out, each rank scores its units over every step, and the root ranks all the scores.
// A unit's score is computed by the same code on the same values as in one process, so the ranking is the
// serial one, bit for bit, when every rank runs as many threads as the serial command (Pearson r sums the
// steps in one part per thread).
#pragma once

#include <functional>
#include <vector>

#include "core/probing/unit_ranking.h"

namespace lstmscope {

// A rank's units of one quantity: [first, first + count).
struct UnitShare {
  int first = 0, count = 0;
};
// `units` shared among `ranks`: contiguous, in rank order, balanced in blocks of 16 units (a 64-byte vector of
// floats). Scores do not depend on a unit's row here (SharedWork.UnitScoresTakenShareByShareAreTheBitsOfTheWholes
// checks these shares; shares of single units gave the same bits when tried by hand); the blocks keep each
// unit in the vector lane it has in the whole matrix all the same, in case a compiler treats the Pearson
// loop's first and last units otherwise.
std::vector<UnitShare> shareUnits(int units, int ranks);

// (count x T) values of units [first, first + count) of one layer, direction and quantity, over every step.
using QuantityUnitValues = std::function<Mat<float>(const QuantityRef&, UnitShare)>;

// rankUnits with the units shared among the ranks; `units[k]` is which[k]'s number of units. Collective; the
// root gets the ranking, the other ranks an empty one. A failure while scoring, on any rank, throws on every
// rank (its rank and message); scores that arrive damaged throw on the root alone, after the last collective.
// Progress counts the calling rank's quantities.
UnitRanking rankUnitsAcrossRanks(const std::vector<QuantityRef>& which, const std::vector<int>& units,
                                 const QuantityUnitValues& read, const ProbeLabel& label, RankingMetric metric,
                                 int threads, const ProgressCallbacks& progress = {});

}  // namespace lstmscope
