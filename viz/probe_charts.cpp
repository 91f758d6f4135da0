#include "viz/probe_charts.h"

#include <QObject>
#include <algorithm>
#include <cmath>

#include "viz/palette.h"

namespace lstmscope::viz {
namespace {

// R² has no lower bound: a control task's can be -600 (a probe that fits nothing on the other half).
constexpr double kScoreFloor = -0.5;

}  // namespace

QString probeScoreName(LabelKind kind) {
  return kind == LabelKind::Scalar ? QObject::tr("R²") : QObject::tr("accuracy");
}

QString probeName(int layer, Quantity quantity) {
  return (layer < 0 ? QObject::tr("all layers") : QObject::tr("layer %1").arg(layer)) + QStringLiteral(" · ") +
         QLatin1String(quantityName(quantity));
}

void showProbingCurve(ScoreLinesChart& chart, const std::vector<ProbeOutcome>& curve, int layers, LabelKind labelKind,
                      const std::string& labelSource) {
  ScoreChartContent c;
  c.title = QObject::tr("Probing curve for %1: test %2 per layer (dashed: the control task)")
                .arg(QString::fromStdString(labelSource), probeScoreName(labelKind));
  c.xTitle = QObject::tr("layer");
  c.yTitle = QObject::tr("test %1").arg(probeScoreName(labelKind));
  c.yFloor = kScoreFloor;
  for (int l = 0; l < layers; ++l) c.xNames.push_back(QString::number(l));
  if (std::any_of(curve.begin(), curve.end(), [](const ProbeOutcome& p) { return p.layer < 0; }))
    c.xNames.push_back(QObject::tr("all"));
  std::vector<Quantity> quantities;
  for (const ProbeOutcome& p : curve)
    if (std::find(quantities.begin(), quantities.end(), p.quantity) == quantities.end())
      quantities.push_back(p.quantity);
  for (size_t k = 0; k < quantities.size(); ++k) {
    ScoreLine test{QLatin1String(quantityName(quantities[k])), {}, categoricalColour(static_cast<int>(k)), false};
    ScoreLine control{
        QObject::tr("%1, control").arg(QLatin1String(quantityName(quantities[k]))), {}, test.colour, true};
    for (const ProbeOutcome& p : curve) {
      if (p.quantity != quantities[k]) continue;
      const double x = p.layer < 0 ? layers : p.layer;
      test.points.emplace_back(x, p.testScore);
      control.points.emplace_back(x, p.controlScore);
    }
    c.lines.push_back(test), c.lines.push_back(control);
  }
  chart.setContent(c);
}

void showL1Path(ScoreLinesChart& chart, const L1Path& path, const ProbeOutcome& probe, LabelKind labelKind,
                const std::string& labelSource) {
  ScoreChartContent c;
  const QString outcome = path.unitsFor95 == 1 ? QObject::tr("1 unit reaches 95 % of the full probe")
                          : path.unitsFor95 > 1
                              ? QObject::tr("%1 units reach 95 % of the full probe").arg(path.unitsFor95)
                              : QObject::tr("no point reaches 95 % of the full probe");
  c.title = QObject::tr("L1 path for %1, %2: %3")
                .arg(QString::fromStdString(labelSource), probeName(probe.layer, probe.quantity), outcome);
  c.xTitle = QObject::tr("units the L1 probe keeps");
  c.yTitle = QObject::tr("test %1").arg(probeScoreName(labelKind));
  c.logX = true;
  c.yFloor = kScoreFloor;
  ScoreLine refit{QObject::tr("the probe on those units alone"), {}, categoricalColour(0), false};
  ScoreLine l1{QObject::tr("the L1 probe itself"), {}, categoricalColour(1), true};
  for (const L1PathPoint& p : path.points) {
    if (p.units <= 0) continue;
    refit.points.emplace_back(static_cast<double>(p.units), p.refitTestScore);
    l1.points.emplace_back(static_cast<double>(p.units), p.testScore);
  }
  c.lines = {refit, l1};
  c.references.push_back({QObject::tr("full probe, %1 units").arg(probe.features), probe.testScore});
  if (std::isfinite(path.target))
    c.references.push_back({labelKind == LabelKind::Scalar ? QObject::tr("95 % of it")
                                                           : QObject::tr("target: 95 % of its gain over the majority"),
                            path.target});
  if (labelKind != LabelKind::Scalar && std::isfinite(path.baseline))
    c.references.push_back({QObject::tr("always the majority class"), path.baseline});
  chart.setContent(c);
}

}  // namespace lstmscope::viz
