// Every unit of the chosen layers, directions and quantities scored against a label and ranked, strongest
// first (docs/PROBES.md "Unit ranking"). The values come from wherever the caller holds them: a trace file
// (the CLI) or a recording in memory (the app).
#pragma once

#include <functional>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/record.h"
#include "core/probing/unit_scores.h"

namespace lstmscope {

struct QuantityRef {
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::C;
};

struct RankedUnit {
  QuantityRef where;
  int unit = 0;
  UnitScore score;
};

struct UnitRanking {
  std::vector<RankedUnit> ranked;  // scored units, strongest first; ties in the order the units were read
  long unscored = 0;               // constant units and units with a value that is not finite
};

// (H x T) values of one layer, direction and quantity; column t is step t.
using QuantityValues = std::function<Mat<float>(const QuantityRef&)>;

// Reads each of `which` in turn (one at a time, so memory holds one quantity) and scores its units.
// Progress counts quantities; throws Cancelled between them.
UnitRanking rankUnits(const std::vector<QuantityRef>& which, const QuantityValues& read, const ProbeLabel& label,
                      RankingMetric metric, int threads, const ProgressCallbacks& callbacks = {});

// The ranking of scores already taken: scores[k] holds every unit of which[k], unit by unit. What rankUnits
// returns for the same scores; for scores taken elsewhere (by the ranks of an MPI run, core/parallel).
UnitRanking rankScores(const std::vector<QuantityRef>& which, const std::vector<std::vector<UnitScore>>& scores);

}  // namespace lstmscope
