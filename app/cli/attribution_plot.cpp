#include "app/cli/attribution_plot.h"

#include <QApplication>
#include <cstdio>
#include <memory>

#include "app/cli/offscreen_application.h"
#include "core/attribution/attribution_rules.h"
#include "core/common/error.h"
#include "viz/attribution_text_view.h"
#include "viz/figure_export.h"
#include "viz/token_text.h"

namespace lstmscope::cli {
namespace {

constexpr int kFigureWidth = 1200;  // pixels at 200 dpi: 6 inches, a page-wide figure

}  // namespace

void writeAttributionPlot(const std::string& path, const AttributionPlot& plot) {
  const auto app = offscreenApplication();

  viz::AttributionRow row;
  row.label = QString::fromStdString(plot.label);
  row.values.assign(plot.values.data(), plot.values.data() + plot.values.size());
  row.note = QString::fromStdString(plot.note);
  row.warning = plot.warning;
  viz::AttributionTextView view;
  view.setSeparateTokens(plot.separateTokens);
  view.setBoxedMeaning(QString::fromStdString(plot.boxedMeaning));
  view.setPositionsAreRows(plot.positionsAreRows);
  view.setContent(viz::displayTokens(plot.tokens), {row}, QString::fromStdString(plot.title), plot.targetStep,
                  plot.targetStep - kFigureContextBefore, plot.targetStep + kFigureContextAfter);
  viz::FigureExportOptions options;
  options.size = QSizeF(kFigureWidth, kFigureWidth);
  options.fitHeight = true;  // as tall as the text needs
  options.dpi = 200;
  const QString error = viz::exportView(view, QString::fromStdString(path), options);
  if (!error.isEmpty()) throw InputError(path, error.toStdString());
}

}  // namespace lstmscope::cli
