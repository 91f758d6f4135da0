#include "viz/ranking_chart.h"

#include <QObject>
#include <algorithm>

namespace lstmscope::viz {
namespace {

// What the chart's bars show: the score with its sign, centred where a unit tells nothing.
double signedStrength(RankingMetric metric, const UnitScore& s) {
  return metric == RankingMetric::Auc ? s.score - 0.5 : metric == RankingMetric::Iou ? s.sign * s.score : s.score;
}

QString signedStrengthName(RankingMetric metric) {
  switch (metric) {
    case RankingMetric::Auc:
      return QObject::tr("AUC − 0.5");
    case RankingMetric::Iou:
      return QObject::tr("IoU × sign");
    case RankingMetric::Spearman:
      return QObject::tr("Spearman r");
    case RankingMetric::Pearson:
      break;
  }
  return QObject::tr("Pearson r");
}

}  // namespace

void showUnitRanking(AttributionBarChart& bars, const UnitRanking& ranking, RankingMetric metric,
                     const std::string& labelSource) {
  // The names drop what all the bars share (layer, quantity); 20 bars leave room for a name such as
  // "1·248", 12 for "1o·248".
  const auto shared = [&](size_t count, auto part) {
    for (size_t k = 1; k < count; ++k)
      if (part(ranking.ranked[k]) != part(ranking.ranked[0])) return false;
    return true;
  };
  const auto layerOf = [](const RankedUnit& u) { return u.where.layer; };
  const auto quantityOf = [](const RankedUnit& u) { return u.where.quantity; };
  size_t count = std::min(ranking.ranked.size(), kRankingBars);
  bool oneLayer = shared(count, layerOf), oneQuantity = shared(count, quantityOf);
  if (!oneLayer && !oneQuantity) {
    count = std::min<size_t>(count, 12);
    oneLayer = shared(count, layerOf), oneQuantity = shared(count, quantityOf);
  }
  QStringList names;
  std::vector<double> strengths;
  for (size_t k = 0; k < count; ++k) {
    const RankedUnit& u = ranking.ranked[k];
    const QString layer = oneLayer ? QString() : QString::number(u.where.layer);
    const QString quantity = oneQuantity ? QString() : QLatin1String(quantityName(u.where.quantity));
    const QString prefix = layer + quantity;
    names << (prefix.isEmpty() ? QString::number(u.unit) : prefix + QStringLiteral("·") + QString::number(u.unit));
    strengths.push_back(signedStrength(metric, u.score));
  }
  QString what;  // what all bars share, or how the names say it
  if (count > 0) {
    const RankedUnit& first = ranking.ranked[0];
    if (oneLayer && oneQuantity)
      what = QObject::tr("layer %1 %2").arg(first.where.layer).arg(QLatin1String(quantityName(first.where.quantity)));
    else if (oneQuantity)
      what = QObject::tr("%1, units named layer·unit").arg(QLatin1String(quantityName(first.where.quantity)));
    else if (oneLayer)
      what = QObject::tr("layer %1, units named quantity·unit").arg(first.where.layer);
    else
      what = QObject::tr("units named layer quantity·unit");
  }
  bars.setLabelCaptions(QObject::tr("unit\nrank"));
  bars.setContent(names, strengths,
                  QObject::tr("Units ranked for %1, %2 (%3 strongest of %4)")
                      .arg(QString::fromStdString(labelSource), what)
                      .arg(count)
                      .arg(ranking.ranked.size()),
                  signedStrengthName(metric), static_cast<long>(count) - 1);
}

}  // namespace lstmscope::viz
