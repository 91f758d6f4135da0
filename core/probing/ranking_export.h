// A unit ranking as the probe command and the Probes dock write it (docs/CLI.md "probe"): JSON entries
// and CSV rows, strongest first, each unit named by layer, direction, quantity and unit.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/probing/unit_ranking.h"

namespace lstmscope {

// "fwd", "bwd" (or a trace's own direction names) for a layer's direction.
using DirectionNamer = std::function<std::string(int layer, int direction)>;

// [{"layer", "direction", "quantity", "unit", "score", "sign", "category" (categories), "threshold" (iou)}…]
nlohmann::ordered_json rankingJson(const UnitRanking& ranking, const ProbeLabel& label, const DirectionNamer& names,
                                   size_t top);

// The label, its kind, the metric, the counts and the ranking (and the categories), as one document.
nlohmann::ordered_json rankingDocument(const UnitRanking& ranking, const ProbeLabel& label, RankingMetric metric,
                                       long steps, const DirectionNamer& names, size_t top);

// "rank,layer,direction,quantity,unit,score,sign,category,threshold", then a row per ranked unit.
std::string rankingCsv(const UnitRanking& ranking, const ProbeLabel& label, const DirectionNamer& names, size_t top);

}  // namespace lstmscope
