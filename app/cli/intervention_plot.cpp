#include "app/cli/intervention_plot.h"

#include <QApplication>
#include <algorithm>
#include <memory>
#include <numeric>

#include "app/cli/offscreen_application.h"
#include "core/common/error.h"
#include "viz/attribution_bar_chart.h"
#include "viz/figure_export.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_view.h"
#include "viz/token_text.h"

namespace lstmscope::cli {
namespace {

void exportOrThrow(viz::ExportableView& view, const std::string& path, bool fitHeight) {
  viz::FigureExportOptions options;
  options.size = QSizeF(1600, 900);
  options.fitHeight = fitHeight;
  options.dpi = 200;
  const QString error = viz::exportView(view, QString::fromStdString(path), options);
  if (!error.isEmpty()) throw InputError(path, error.toStdString());
}

// (units, steps) values as a heatmap in the diverging map, symmetric about zero.
void writeMap(const std::string& path, const Mat<double>& unitsBySteps, const std::vector<std::string>& tokens,
              long firstStep, const QString& title, const QString& valueLabel) {
  const auto app = offscreenApplication();
  auto values = std::make_shared<Mat<float>>(unitsBySteps.cast<float>());
  const double extent = std::max(1e-12, unitsBySteps.cwiseAbs().maxCoeff());
  QStringList labels = viz::displayTokens(std::vector<std::string>(
      tokens.begin() + std::min<long>(firstStep, static_cast<long>(tokens.size())),
      tokens.begin() + std::min<long>(firstStep + unitsBySteps.cols(), static_cast<long>(tokens.size()))));
  viz::HeatmapView view;
  view.resize(1600, 900);
  view.setData(std::make_shared<const viz::HeatmapData>(values, values.get()), labels);
  std::vector<int> rows(static_cast<size_t>(unitsBySteps.rows()));
  std::iota(rows.begin(), rows.end(), 0);
  view.setRowUnits(std::move(rows));
  view.setScale(viz::ColourScale(viz::ColourMap::named(QStringLiteral("blue-red")), -extent, extent));
  view.setTitle(title, valueLabel);
  exportOrThrow(view, path, false);
}

}  // namespace

void writeAblationFigure(const std::string& path, const EffectContext& c, const AblationEffects& e, bool map) {
  if (map) {
    writeMap(path, e.map, c.tokens, e.firstStep,
             QStringLiteral("Effect of ablating one unit at one step: %1 → %2")
                 .arg(QString::fromStdString(c.quantity), QString::fromStdString(c.targetText)),
             QStringLiteral("Δ score"));
    return;
  }
  const auto app = offscreenApplication();
  std::vector<size_t> order(e.effects.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return std::abs(e.effects[a]) > std::abs(e.effects[b]); });
  order.resize(std::min<size_t>(order.size(), viz::AttributionBarChart::kMaxBars));
  QStringList labels;
  std::vector<double> values;
  for (size_t u : order) labels << QString::number(u), values.push_back(e.effects[u]);
  viz::AttributionBarChart chart;
  chart.resize(1600, 900);
  chart.setLabelCaptions(QStringLiteral("unit\nrank"));
  chart.setContent(labels, values,
                   QStringLiteral("Units of %1 with the largest effect of ablation on %2 (score %3), largest first")
                       .arg(QString::fromStdString(c.quantity), QString::fromStdString(c.targetText))
                       .arg(e.score, 0, 'g', 5),
                   QStringLiteral("change in score"), static_cast<long>(values.size()) - 1);
  exportOrThrow(chart, path, true);
}

void writePatchFigure(const std::string& path, const EffectContext& c, const PatchMap& p) {
  writeMap(path, p.restored.transpose(), c.tokens, 0,
           QStringLiteral("Share of %1 restored by patching one value of %2 from the clean run (clean %3, "
                          "corrupted %4)")
               .arg(QString::fromStdString(c.targetText), QString::fromStdString(c.quantity))
               .arg(p.cleanScore, 0, 'g', 5)
               .arg(p.corruptScore, 0, 'g', 5),
           QStringLiteral("restored"));
}

}  // namespace lstmscope::cli
