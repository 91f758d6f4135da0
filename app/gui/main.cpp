// lstmscope [MODEL] [--vocab V] [--text-file F | --csv F] [--screenshot OUT.png] (CONTRACTS.md §4), plus options
// that choose the first view and export figures from the command line (docs/APP.md).
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>
#include <cstdio>

#include "app/gui/main_window.h"
#include "core/common/large_array_memory.h"
#include "viz/figure_export.h"

namespace {

constexpr int kScreenshotTimeoutMs = 120'000;

int fail(const QString& message, int code) {
  std::fprintf(stderr, "lstmscope: %s\n", qPrintable(message));
  return code;
}

// "WxH" -> a size, or an invalid QSize when the text is not two positive integers around an 'x'.
QSize parseSize(const QString& text) {
  const QStringList wh = text.split(QLatin1Char('x'));
  bool okW = false, okH = false;
  const QSize size(wh.value(0).toInt(&okW), wh.value(1).toInt(&okH));
  return wh.size() == 2 && okW && okH ? size : QSize();
}

}  // namespace

int main(int argc, char** argv) {
  QElapsedTimer sinceStart;
  sinceStart.start();
  // Before Qt starts threads: an analysis runs ~30% faster when its buffers come from 2 MB pages and
  // what one analysis freed is reused by the next.
  lstmscope::setUpLargeArrayMemory();
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("LSTMScope"));
  QApplication::setApplicationName(QStringLiteral("LSTMScope"));
  QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Explore an LSTM's gates and cells on a text. Without a model, opens the embedded demo."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("model"),
                               QStringLiteral("Model file (LSTMScope, PyTorch, Keras, ONNX or TF.js)."),
                               QStringLiteral("[MODEL]"));
  const QCommandLineOption vocab(QStringLiteral("vocab"), QStringLiteral("Vocabulary file for the model."),
                                 QStringLiteral("V"));
  const QCommandLineOption textFile(
      QStringList{QStringLiteral("text-file"), QStringLiteral("csv")},
      QStringLiteral("UTF-8 text to analyse; for a model of numeric features, a CSV table (one row per step)."),
      QStringLiteral("F"));
  const QCommandLineOption labelColumn(
      QStringLiteral("label-column"),
      QStringLiteral("The CSV column whose values label the steps (default: step numbers)."), QStringLiteral("NAME"));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Wait until the analysis is shown, save the window to OUT.png, exit."), QStringLiteral("OUT.png"));
  const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1280x800."),
                                QStringLiteral("WxH"));
  const QCommandLineOption layer(QStringLiteral("layer"), QStringLiteral("Layer to show first."), QStringLiteral("N"));
  const QCommandLineOption quantity(
      QStringLiteral("quantity"),
      QStringLiteral("i, f, g, o, c, h, tanh(c), or an attribution to units for the target at --step: "
                     "gxa(h), gxa(c) (gradient x activation), lrp(h), lrp(c)."),
      QStringLiteral("Q"));
  const QCommandLineOption select(QStringLiteral("select"),
                                  QStringLiteral("Brush steps FIRST..END-1 and select the units on across them."),
                                  QStringLiteral("FIRST:END"));
  const QCommandLineOption step(QStringLiteral("step"), QStringLiteral("Current step."), QStringLiteral("N"));
  const QCommandLineOption unit(QStringLiteral("unit"), QStringLiteral("Current unit."), QStringLiteral("N"));
  const QCommandLineOption dock(QStringLiteral("dock"),
                                QStringLiteral("Bring a view to the front: trajectories, saturation, predictions, "
                                               "projection, textColouring, text."),
                                QStringLiteral("NAME"));
  const QCommandLineOption attribution(
      QStringLiteral("attribution"),
      QStringLiteral("Bring the Attribution dock to the front with a method (saliency, gradxinput, ig, lrp, "
                     "occlusion), all methods side by side (all) or the all-targets matrix (matrix)."),
      QStringLiteral("WHAT"));
  const QCommandLineOption exportTo(QStringLiteral("export"),
                                    QStringLiteral("Like --screenshot, but export one view as a figure (.png, .svg, "
                                                   ".pdf) or its numbers (.csv)."),
                                    QStringLiteral("FILE"));
  const QCommandLineOption exportView(QStringLiteral("export-view"),
                                      QStringLiteral("View to export: heatmap (default), trajectories, textColouring, "
                                                     "predictions, saturation, projection."),
                                      QStringLiteral("NAME"), QStringLiteral("heatmap"));
  const QCommandLineOption exportSize(QStringLiteral("export-size"), QStringLiteral("Figure size (default 1600x900)."),
                                      QStringLiteral("WxH"), QStringLiteral("1600x900"));
  const QCommandLineOption dpi(QStringLiteral("dpi"), QStringLiteral("PNG resolution (default 300)."),
                               QStringLiteral("N"), QStringLiteral("300"));
  parser.addOptions({vocab, textFile, labelColumn, screenshot, size, layer, quantity, select, step, unit, dock,
                     attribution, exportTo, exportView, exportSize, dpi});
  parser.process(app);
  if (parser.positionalArguments().size() > 1) return fail(QStringLiteral("give at most one model file"), 2);

  lstmscope::app::MainWindow window;
  const bool shooting = parser.isSet(screenshot) || parser.isSet(exportTo);
  lstmscope::viz::FigureExportOptions figure;
  if (parser.isSet(exportTo)) {
    figure.size = parseSize(parser.value(exportSize));
    figure.dpi = parser.value(dpi).toInt();
    if (!figure.size.isValid()) return fail(QStringLiteral("--export-size wants WxH, e.g. 1600x900"), 2);
    if (!window.exportableView(parser.value(exportView)))
      return fail(QStringLiteral("--export-view: no view called “%1”").arg(parser.value(exportView)), 2);
  }
  window.setInteractive(!shooting);
  if (!shooting) window.restoreSettings();
  if (parser.isSet(size)) {
    const QSize windowSize = parseSize(parser.value(size));
    if (windowSize.width() < 320 || windowSize.height() < 240)
      return fail(QStringLiteral("--size wants WxH, at least 320x240"), 2);
    window.resize(windowSize);
  }
  lstmscope::app::StartupChoices choices;
  choices.layer = parser.isSet(layer) ? parser.value(layer).toInt() : -1;
  choices.quantity = parser.value(quantity);
  choices.step = parser.isSet(step) ? parser.value(step).toLong() : -1;
  choices.unit = parser.isSet(unit) ? parser.value(unit).toInt() : -1;
  choices.dock = parser.value(dock);
  choices.attribution = parser.value(attribution);
  if (parser.isSet(select)) {
    const QStringList range = parser.value(select).split(QLatin1Char(':'));
    bool ok1 = false, ok2 = false;
    choices.brush = {range.value(0).toLong(&ok1), range.value(1).toLong(&ok2)};
    if (range.size() != 2 || !ok1 || !ok2 || choices.brush.first < 0 || choices.brush.end <= choices.brush.first)
      return fail(QStringLiteral("--select wants FIRST:END with 0 <= FIRST < END"), 2);
  }
  window.setStartupChoices(choices);
  int exitCode = 0;
  const QString out = parser.value(screenshot);
  if (shooting) {
    QObject::connect(&window, &lstmscope::app::MainWindow::analysisShown, &app, [&] {
      const double shownAfter = sinceStart.nsecsElapsed() / 1e9;
      // A moment more so that every dock (the PCA view's job included) has painted the new analysis, and
      // until the attribution views hold their result.
      auto* settle = new QTimer(&app);
      settle->start(200);
      QObject::connect(settle, &QTimer::timeout, &app, [&, settle, shownAfter] {
        if (!window.attribution()->settled()) return;
        settle->stop();
        if (parser.isSet(exportTo)) {
          const QString error = lstmscope::viz::exportView(*window.exportableView(parser.value(exportView)),
                                                           parser.value(exportTo), figure);
          if (!error.isEmpty()) exitCode = fail(error, 3);
        }
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
          QStringLiteral("the analysis (and attribution) was not shown within %1 s").arg(kScreenshotTimeoutMs / 1000),
          1);
      app.exit(exitCode);
    });
  }
  window.show();

  window.setStepLabelColumn(parser.value(labelColumn));
  const bool haveText = parser.isSet(textFile);
  if (haveText && !window.openTextFile(parser.value(textFile))) {
    if (shooting) return fail(window.lastError(), 3);
  }
  if (parser.positionalArguments().isEmpty())
    window.openDemo(!haveText);
  else
    window.openModel(parser.positionalArguments().first(), parser.value(vocab));
  return app.exec();
}
