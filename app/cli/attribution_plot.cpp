#include "app/cli/attribution_plot.h"

#include <QApplication>
#include <cstdio>
#include <memory>

#include "core/attribution/attribution_rules.h"
#include "core/common/error.h"
#include "viz/attribution_text_view.h"
#include "viz/figure_export.h"
#include "viz/token_text.h"

namespace lstmscope::cli {
namespace {

constexpr int kFigureWidth = 1200;  // pixels at 200 dpi: 6 inches, a page-wide figure

// Qt's notes about the missing desktop (no XDG runtime directory, an offscreen platform without window
// hints) mean nothing to a CLI user; everything else still reaches stderr.
void quietAboutTheMissingDesktop(QtMsgType type, const QMessageLogContext& context, const QString& message) {
  if (message.contains(QLatin1String("XDG_RUNTIME_DIR")) || message.contains(QLatin1String("propagateSizeHints")))
    return;
  std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

}  // namespace

void writeAttributionPlot(const std::string& path, const AttributionPlot& plot) {
  // Widgets need an application; the CLI has no display, so the offscreen platform unless told otherwise.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  qInstallMessageHandler(quietAboutTheMissingDesktop);
  static int argc = 1;
  static char name[] = "lstmscope-cli";
  static char* argv[] = {name, nullptr};
  const std::unique_ptr<QApplication> app(QApplication::instance() ? nullptr : new QApplication(argc, argv));

  viz::AttributionRow row;
  row.label = QString::fromStdString(plot.label);
  row.values.assign(plot.values.data(), plot.values.data() + plot.values.size());
  row.note = QString::fromStdString(plot.note);
  row.warning = plot.warning;
  viz::AttributionTextView view;
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
