// A unit ranking (docs/PROBES.md) as bars: the strongest units with their signed scores (r, AUC - 0.5, or
// IoU with its sign), each named by its unit and what the bars do not share (layer, quantity). The Probes
// dock and `lstmscope-cli probe --out RANK.png` draw the same figure.
#pragma once

#include <string>

#include "core/probing/unit_ranking.h"
#include "viz/attribution_bar_chart.h"

namespace lstmscope::viz {

// At most this many bars: room to name each unit under its bar ("1·248").
inline constexpr size_t kRankingBars = 20;

void showUnitRanking(AttributionBarChart& bars, const UnitRanking& ranking, RankingMetric metric,
                     const std::string& labelSource);

}  // namespace lstmscope::viz
