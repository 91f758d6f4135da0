#include "core/probing/ranking_export.h"

#include <cmath>
#include <cstdio>

#include "core/common/csv_cell.h"

namespace lstmscope {

nlohmann::ordered_json rankingJson(const UnitRanking& ranking, const ProbeLabel& label, const DirectionNamer& names,
                                   size_t top) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t k = 0; k < ranking.ranked.size() && k < top; ++k) {
    const RankedUnit& r = ranking.ranked[k];
    nlohmann::ordered_json unit = {{"layer", r.where.layer},
                                   {"direction", names(r.where.layer, r.where.direction)},
                                   {"quantity", quantityName(r.where.quantity)},
                                   {"unit", r.unit},
                                   {"score", r.score.score},
                                   {"sign", r.score.sign}};
    if (r.score.category >= 0) unit["category"] = label.categories[static_cast<size_t>(r.score.category)];
    if (!std::isnan(r.score.threshold)) unit["threshold"] = r.score.threshold;
    list.push_back(unit);
  }
  return list;
}

nlohmann::ordered_json rankingDocument(const UnitRanking& ranking, const ProbeLabel& label, RankingMetric metric,
                                       long steps, const DirectionNamer& names, size_t top) {
  nlohmann::ordered_json out = {{"label", label.source},
                                {"label_kind", labelKindName(label.kind)},
                                {"metric", rankingMetricName(metric)},
                                {"steps", steps},
                                {"units_scored", ranking.ranked.size()},
                                {"units_unscored", ranking.unscored},
                                {"ranking", rankingJson(ranking, label, names, top)}};
  if (!label.categories.empty()) out["categories"] = label.categories;
  return out;
}

std::string rankingCsv(const UnitRanking& ranking, const ProbeLabel& label, const DirectionNamer& names, size_t top) {
  std::string csv = "rank,layer,direction,quantity,unit,score,sign,category,threshold\n";
  char number[64];
  for (size_t k = 0; k < ranking.ranked.size() && k < top; ++k) {
    const RankedUnit& r = ranking.ranked[k];
    std::snprintf(number, sizeof number, "%.17g", r.score.score);
    csv += std::to_string(k + 1) + "," + std::to_string(r.where.layer) + "," + names(r.where.layer, r.where.direction) +
           "," + quantityName(r.where.quantity) + "," + std::to_string(r.unit) + "," + number + "," +
           std::to_string(r.score.sign) + ",";
    if (r.score.category >= 0) csv += csvQuoted(label.categories[static_cast<size_t>(r.score.category)]);
    csv += ",";
    if (!std::isnan(r.score.threshold)) std::snprintf(number, sizeof number, "%.9g", r.score.threshold), csv += number;
    csv += "\n";
  }
  return csv;
}

}  // namespace lstmscope
