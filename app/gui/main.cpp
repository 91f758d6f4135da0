// lstmscope [MODEL] [--vocab V] [--text-file F | --csv F] [--screenshot OUT.png], plus options that choose
// the first view and export figures from the command line (docs/APP.md, "Command line").
#include <QApplication>
#include <QElapsedTimer>
#include <QIcon>
#include <QTimer>
#include <cstdio>

#include "app/gui/analysis_session.h"
#include "app/gui/attribution_panel.h"
#include "app/gui/command_line.h"
#include "app/gui/effects_panel.h"
#include "app/gui/installed_files.h"
#include "app/gui/main_window.h"
#include "app/gui/match_panel.h"
#include "app/gui/model_opening.h"
#include "app/gui/unit_panel.h"
#include "core/common/denormals.h"
#include "core/common/large_array_memory.h"
#include "core/common/version.h"
#include "core/engine/external_gemm.h"
#include "core/formats/temp_files.h"
#include "core/formats/trace_file.h"
#include "viz/figure_export.h"

namespace {

constexpr int kScreenshotTimeoutMs = 120'000;

int fail(const QString& message, int code) {
  std::fprintf(stderr, "lstmscope: %s\n", qPrintable(message));
  return code;
}

void nameApplication() {
  QCoreApplication::setOrganizationName(QStringLiteral("LSTMScope"));
  QCoreApplication::setApplicationName(QStringLiteral("LSTMScope"));
  QCoreApplication::setApplicationVersion(QString::fromUtf8(lstmscope::kVersion));
}

// --screenshot and --export: once the analysis (and the attribution) is shown, save it and quit.
void shootWhenShown(QApplication& app, lstmscope::app::MainWindow& window, const lstmscope::app::AppCommandLine& cl,
                    const lstmscope::viz::FigureExportOptions& figure, const QElapsedTimer& sinceStart, int& exitCode) {
  QObject::connect(&window, &lstmscope::app::MainWindow::analysisShown, &app, [&] {
    const double shownAfter = sinceStart.nsecsElapsed() / 1e9;
    // A moment more so that every dock (the PCA view's job included) has painted the new analysis, and
    // until the attribution views hold their result when what is saved shows it (a screenshot, an
    // attribution view, a heatmap of attribution to units): the default attribution of a long text takes
    // seconds that a figure of the heatmap or the trajectories need not wait for.
    const QString view = cl.parser.value(cl.exportView), quantity = cl.parser.value(cl.quantity);
    const bool showsAttribution = cl.parser.isSet(cl.screenshot) || view.startsWith(QStringLiteral("attribution")) ||
                                  quantity.startsWith(QStringLiteral("gxa")) ||
                                  quantity.startsWith(QStringLiteral("lrp"));
    auto* settle = new QTimer(&app);
    settle->start(200);
    QObject::connect(settle, &QTimer::timeout, &app, [&, settle, shownAfter, showsAttribution] {
      if (showsAttribution && !window.attribution()->settled()) return;
      if (window.match()->busy()) return;    // --match: the search's rows are part of what is saved
      if (window.unit()->busy()) return;     // --dock unit: so is the unit's dashboard
      if (window.session()->busy()) return;  // --set: the run under the interventions is on its way
      if (window.effects()->busy()) return;  // --effects: its map or bars are part of what is saved
      if (cl.parser.isSet(cl.match) && !window.match()->found()) {  // the search failed: say why, save nothing
        settle->stop();
        exitCode = fail(window.match()->summary(), 3);
        app.exit(exitCode);
        return;
      }
      settle->stop();
      if (cl.parser.isSet(cl.exportTo)) {
        const QString error = lstmscope::viz::exportView(*window.exportableView(cl.parser.value(cl.exportView)),
                                                         cl.parser.value(cl.exportTo), figure);
        if (!error.isEmpty()) exitCode = fail(error, 3);
      }
      const QString out = cl.parser.value(cl.screenshot);
      if (!out.isEmpty() && !window.grab().save(out))
        exitCode = fail(out + QStringLiteral(": cannot write the screenshot"), 3);
      if (exitCode == 0) std::printf("lstmscope: analysis shown after %.3f s\n", shownAfter);
      app.exit(exitCode);
    });
  });
  QObject::connect(&window, &lstmscope::app::MainWindow::analysisFailed, &app, [&](const QString& message) {
    exitCode = fail(message, 3);
    app.exit(exitCode);
  });
  QTimer::singleShot(kScreenshotTimeoutMs, &app, [&] {
    exitCode = fail(
        QStringLiteral("the analysis (and attribution) was not shown within %1 s").arg(kScreenshotTimeoutMs / 1000), 1);
    app.exit(exitCode);
  });
}

// The model named on the command line, with the import choices the app remembers for it unless a
// vocabulary is given or the run must be reproducible (--screenshot and --export ignore settings).
// Returns false when the model or trace could not be opened at all (the error is in window.lastError()).
bool openModelFromCommandLine(lstmscope::app::MainWindow& window, const QString& path, const QString& vocab,
                              bool shooting, long traceStep) {
  if (lstmscope::isTraceFile(path.toStdString()))  // a recorded trace: at the window --step or --select asks for
    return window.openTrace(path, traceStep);
  if (lstmscope::app::isLstmvisProject(path)) {
    window.openModelInteractively(path);  // converted in the background; a failure arrives as analysisFailed
    return true;
  }
  const auto remembered = shooting || !vocab.isEmpty() ? std::nullopt : lstmscope::app::rememberedImport(path);
  if (!remembered)
    window.openModel(path, vocab);
  else
    window.openModel(path, QString::fromStdString(remembered->vocabPath), remembered->choices);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  lstmscope::flushDenormalsToZero();  // before any thread starts: they inherit it
  lstmscope::removeTempFilesOnSignals();
  // Loads OpenBLAS before any thread starts: loading names its kernel in the environment for a moment
  // (core/engine/external_gemm.h).
  (void)lstmscope::blas::available();
  QElapsedTimer sinceStart;
  sinceStart.start();
  lstmscope::app::AppCommandLine cl;
  QStringList arguments;
  for (int k = 0; k < argc; ++k) arguments << QString::fromLocal8Bit(argv[k]);
  // Usage errors, --help and --version are answered without a display (no platform plugin needed).
  if (!cl.parse(arguments)) return fail(cl.parser.errorText() + QStringLiteral(" (see lstmscope --help)"), 2);
  if (cl.wantsHelpOrVersion()) {
    QCoreApplication core(argc, argv);
    nameApplication();
    cl.parser.process(core);  // prints, then exits
    return 0;
  }
  // Before Qt starts threads: an analysis runs ~30% faster when its buffers come from 2 MB pages and
  // what one analysis freed is reused by the next.
  lstmscope::setUpLargeArrayMemory();
  QApplication app(argc, argv);
  nameApplication();
  // The desktop entry and icon an installation provides (docs/PACKAGING.md), so that the window's icon and
  // its entry in the desktop's task list are LSTMScope's; the compiled-in icon when not installed.
  const QString desktopId = QString::fromLatin1(lstmscope::app::kDesktopId);
  QGuiApplication::setDesktopFileName(desktopId);
  QApplication::setWindowIcon(QIcon::fromTheme(desktopId, QIcon(QStringLiteral(":/icons/lstmscope.svg"))));
  cl.parser.process(app);
  if (cl.parser.positionalArguments().size() > 1) return fail(QStringLiteral("give at most one model file"), 2);

  lstmscope::app::MainWindow window;
  const bool shooting = cl.shooting();
  lstmscope::viz::FigureExportOptions figure;
  if (cl.parser.isSet(cl.exportTo)) {
    if (!lstmscope::viz::parseFigureSize(cl.parser.value(cl.exportSize), figure))
      return fail(QStringLiteral("--export-size wants WxH in pixels, mm or inches, e.g. 1600x900, 89x60mm, "
                                 "89mmxauto"),
                  2);
    bool dpiOk = false;
    figure.dpi = cl.parser.value(cl.dpi).toInt(&dpiOk);
    if (!dpiOk) return fail(QStringLiteral("--dpi wants a whole number, e.g. 300"), 2);
    figure.marks =
        cl.parser.isSet(cl.exportMarks) ? lstmscope::viz::FigureMarks::Drawn : lstmscope::viz::FigureMarks::Omitted;
    if (!window.exportableView(cl.parser.value(cl.exportView)))
      return fail(QStringLiteral("--export-view: no view called “%1”").arg(cl.parser.value(cl.exportView)), 2);
  }
  window.setInteractive(!shooting);
  window.setRemembersRecentFiles(!shooting);  // a reproducible run leaves the user's settings alone
  if (!shooting) window.restoreSettings();
  if (cl.parser.isSet(cl.size)) {
    const QSize windowSize = lstmscope::app::parseSize(cl.parser.value(cl.size));
    if (windowSize.width() < 320 || windowSize.height() < 240)
      return fail(QStringLiteral("--size wants WxH, at least 320x240"), 2);
    window.resize(windowSize);
  }
  QString choicesError;
  lstmscope::app::StartupChoices startup = cl.startupChoices(choicesError);
  // Exporting the all-targets matrix computes it, as opening its tab does.
  if (cl.parser.value(cl.exportView) == QLatin1String("attributionMatrix") && startup.attribution.isEmpty())
    startup.attribution = QStringLiteral("matrix");
  window.setStartupChoices(startup);
  if (!choicesError.isEmpty()) return fail(choicesError, 2);
  int exitCode = 0;
  if (shooting) shootWhenShown(app, window, cl, figure, sinceStart, exitCode);
  window.show();

  window.setStepLabelColumn(cl.parser.value(cl.labelColumn));
  if ((cl.parser.isSet(cl.chunk) || cl.parser.isSet(cl.hop)) && !cl.parser.isSet(cl.textFile))
    return fail(QStringLiteral("--chunk and --hop apply to --wav only"), 2);
  long audioCalls[2] = {0, 0};  // --chunk, --hop: positive sample counts when given
  for (int k = 0; k < 2; ++k)
    if (const QCommandLineOption& o = k == 0 ? cl.chunk : cl.hop; cl.parser.isSet(o)) {
      bool number = false;
      audioCalls[k] = cl.parser.value(o).toLong(&number);
      if (!number || audioCalls[k] <= 0 || audioCalls[k] > (1L << 24))
        return fail(QStringLiteral("--%1 must be a number of samples from 1 to 16777216, not '%2'")
                        .arg(o.names().first(), cl.parser.value(o)),
                    2);
    }
  window.setAudioCalls(audioCalls[0], audioCalls[1]);
  const bool haveText = cl.parser.isSet(cl.textFile);
  if (haveText && !window.openTextFile(cl.parser.value(cl.textFile))) {
    // The window's analysisFailed has printed the message already (once is enough).
    if (shooting) return exitCode != 0 ? exitCode : fail(window.lastError(), 3);
  }
  if (cl.parser.positionalArguments().isEmpty())
    window.openDemo(!haveText);
  else if (const lstmscope::app::StartupChoices choices = cl.startupChoices(choicesError);
           !openModelFromCommandLine(window, cl.parser.positionalArguments().first(), cl.parser.value(cl.vocab),
                                     shooting, std::max(0L, choices.step >= 0 ? choices.step : choices.brush.first)) &&
           shooting)
    // Before the event loop, the failure's app.exit() is lost; its message is printed already.
    return exitCode != 0 ? exitCode : fail(window.lastError(), 3);
  return app.exec();
}
