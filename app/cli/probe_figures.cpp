#include "app/cli/probe_figures.h"

#include "app/cli/offscreen_application.h"
#include "core/common/error.h"
#include "viz/attribution_bar_chart.h"
#include "viz/figure_export.h"
#include "viz/probe_charts.h"
#include "viz/ranking_chart.h"
#include "viz/score_lines_chart.h"

namespace lstmscope::cli {
namespace {

// Every probe figure at the size and resolution of `attribute`'s plots.
void exportFigure(viz::ExportableView& chart, const std::string& path) {
  viz::FigureExportOptions options;
  options.size = QSizeF(1600, 900);
  options.dpi = 200;
  const QString error = viz::exportView(chart, QString::fromStdString(path), options);
  if (!error.isEmpty()) throw InputError(path, error.toStdString());
}

}  // namespace

void writeRankingFigure(const std::string& path, const UnitRanking& ranking, RankingMetric metric,
                        const std::string& label) {
  const auto app = offscreenApplication();
  viz::AttributionBarChart chart;
  chart.resize(1600, 900);
  viz::showUnitRanking(chart, ranking, metric, label);
  exportFigure(chart, path);
}

void writeProbingCurveFigure(const std::string& path, const std::vector<ProbeOutcome>& curve, int layers,
                             LabelKind labelKind, const std::string& label) {
  const auto app = offscreenApplication();
  viz::ScoreLinesChart chart;
  chart.resize(1600, 900);
  viz::showProbingCurve(chart, curve, layers, labelKind, label);
  exportFigure(chart, path);
}

void writeL1PathFigure(const std::string& path, const L1Path& l1, const ProbeOutcome& probe, LabelKind labelKind,
                       const std::string& label) {
  const auto app = offscreenApplication();
  viz::ScoreLinesChart chart;
  chart.resize(1600, 900);
  viz::showL1Path(chart, l1, probe, labelKind, label);
  exportFigure(chart, path);
}

}  // namespace lstmscope::cli
