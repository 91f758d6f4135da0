#include "core/probing/unit_ranking.h"

#include <algorithm>

namespace lstmscope {

UnitRanking rankUnits(const std::vector<QuantityRef>& which, const QuantityValues& read, const ProbeLabel& label,
                      RankingMetric metric, int threads, const ProgressCallbacks& callbacks) {
  UnitRanking ranking;
  for (size_t k = 0; k < which.size(); ++k) {
    checkCancelled(callbacks);
    const std::vector<UnitScore> scores = scoreUnits(read(which[k]), label, metric, threads);
    for (size_t u = 0; u < scores.size(); ++u) {
      if (scores[u].scored())
        ranking.ranked.push_back({which[k], static_cast<int>(u), scores[u]});
      else
        ++ranking.unscored;
    }
    reportProgress(callbacks, static_cast<long>(k + 1), static_cast<long>(which.size()));
  }
  std::stable_sort(ranking.ranked.begin(), ranking.ranked.end(),
                   [](const RankedUnit& a, const RankedUnit& b) { return a.score.strength > b.score.strength; });
  return ranking;
}

}  // namespace lstmscope
