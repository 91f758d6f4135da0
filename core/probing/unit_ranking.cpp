#include "core/probing/unit_ranking.h"

#include <algorithm>

namespace lstmscope {

UnitRanking rankUnits(const std::vector<QuantityRef>& which, const QuantityValues& read, const ProbeLabel& label,
                      RankingMetric metric, int threads, const ProgressCallbacks& callbacks) {
  std::vector<std::vector<UnitScore>> scores;
  for (size_t k = 0; k < which.size(); ++k) {
    checkCancelled(callbacks);
    scores.push_back(scoreUnits(read(which[k]), label, metric, threads));
    reportProgress(callbacks, static_cast<long>(k + 1), static_cast<long>(which.size()));
  }
  return rankScores(which, scores);
}

UnitRanking rankScores(const std::vector<QuantityRef>& which, const std::vector<std::vector<UnitScore>>& scores) {
  UnitRanking ranking;
  for (size_t k = 0; k < which.size(); ++k)
    for (size_t u = 0; u < scores[k].size(); ++u) {
      if (scores[k][u].scored())
        ranking.ranked.push_back({which[k], static_cast<int>(u), scores[k][u]});
      else
        ++ranking.unscored;
    }
  std::stable_sort(ranking.ranked.begin(), ranking.ranked.end(),
                   [](const RankedUnit& a, const RankedUnit& b) { return a.score.strength > b.score.strength; });
  return ranking;
}

}  // namespace lstmscope
