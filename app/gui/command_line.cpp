#include "app/gui/command_line.h"

#include "app/gui/exported_views.h"

namespace lstmscope::app {
namespace {

QCommandLineOption option(const char* name, const char* description, const char* valueName = nullptr,
                          const QString& defaultValue = {}) {
  return QCommandLineOption(QString::fromLatin1(name), QString::fromUtf8(description),
                            valueName ? QString::fromLatin1(valueName) : QString(), defaultValue);
}

}  // namespace

AppCommandLine::AppCommandLine()
    : vocab(option("vocab", "Vocabulary file for the model.", "V")),
      textFile(QStringList{QStringLiteral("text-file"), QStringLiteral("csv"), QStringLiteral("wav")},
               QStringLiteral("UTF-8 text to analyse; for a model of numeric features, a CSV table (one row per step); "
                              "for a streaming ONNX graph (a voice-activity model), a WAV file."),
               QStringLiteral("F")),
      chunk(option("chunk", "Audio: samples per call of a streaming graph (default: the graph's own).", "N")),
      hop(option("hop", "Audio: samples between calls (default: the chunk; fewer reread a tail as context).", "M")),
      labelColumn(
          option("label-column", "The CSV column whose values label the steps (default: step numbers).", "NAME")),
      screenshot(
          option("screenshot", "Wait until the analysis is shown, save the window to OUT.png, exit.", "OUT.png")),
      size(option("size", "Window size, e.g. 1280x800.", "WxH")),
      layer(option("layer", "Layer to show first.", "N")),
      quantity(option("quantity",
                      "i, f, g, o, c, h, tanh(c), or an attribution to units for the target at --step: "
                      "gxa(h), gxa(c) (gradient x activation), lrp(h), lrp(c).",
                      "Q")),
      select(option("select", "Brush steps FIRST..END-1 and select the units on across them.", "FIRST:END")),
      step(option("step", "Current step.", "N")),
      unit(option("unit", "Current unit.", "N")),
      dock(option("dock",
                  "Bring a view to the front: trajectories, saturation, predictions, projection, textColouring, "
                  "text, attribution, match, unit, corpus, encoder.",
                  "NAME")),
      attribution(option("attribution",
                         "Bring the Attribution dock to the front with a method (saliency, gradxinput, ig, lrp, "
                         "occlusion), all methods side by side (all) or the all-targets matrix (matrix).",
                         "WHAT")),
      match(option("match",
                   "Find where the units selected with --select are on together (the Match dock, over the whole "
                   "trace or text), at most N matches, and bring the Match dock to the front.",
                   "N")),
      intervene(option("set",
                       "Run the text under an intervention L/DIR/Q:U[,U...][@A:B]=V (docs/INTERVENTIONS.md), listed "
                       "in the Interventions dock; repeat for several.",
                       "SPEC")),
      showRun(option("show-run", "Under interventions, show the intervened run, the original or the difference.",
                     "intervened|original|difference")),
      effects(option("effects",
                     "Run the Effects dock for the current step and the quantity shown: sweep (ablate each unit), "
                     "map (each unit at each step) or patch:TEXT (the --select steps replaced by TEXT).",
                     "WHAT")),
      exportTo(option("export",
                      "Like --screenshot, but export one view as a figure (.png, .svg, .pdf) or its numbers (.csv).",
                      "FILE")),
      exportView(
          QStringLiteral("export-view"),
          QStringLiteral("View to export: %1 (default heatmap).").arg(exportViewKeys().join(QStringLiteral(", "))),
          QStringLiteral("NAME"), QStringLiteral("heatmap")),
      exportSize(option("export-size",
                        "Figure size: WxH in pixels (the PNG's pixels; the physical size is pixels / dpi), or with "
                        "mm or in; H may be auto, the height the content needs (default 1600xauto: 900 for "
                        "figures without a natural height).",
                        "WxH", QStringLiteral("1600xauto"))),
      exportMarks(QStringLiteral("export-marks"),
                  QStringLiteral("Draw the current step and unit into the exported figure (left out by default).")),
      dpi(option("dpi",
                 "Resolution (default 300): a PNG's pixels per inch; for sizes in pixels also the physical size "
                 "of PDF and SVG.",
                 "N", QStringLiteral("300"))) {
  parser.setApplicationDescription(
      QStringLiteral("Explore an LSTM's gates and cells on a text. Without a model, opens the embedded demo."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("model"),
                               QStringLiteral("Model file (LSTMScope, PyTorch, Keras, ONNX or TF.js)."),
                               QStringLiteral("[MODEL]"));
  parser.addOptions({vocab,       textFile, chunk,    hop,        labelColumn, screenshot,  size,    layer,
                     quantity,    select,   step,     unit,       dock,        intervene,   showRun, effects,
                     attribution, match,    exportTo, exportView, exportSize,  exportMarks, dpi});
}

bool AppCommandLine::wantsHelpOrVersion() const {
  return parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")) ||
         parser.isSet(QStringLiteral("version"));
}

StartupChoices AppCommandLine::startupChoices(QString& error) const {
  StartupChoices choices;
  choices.layer = parser.isSet(layer) ? parser.value(layer).toInt() : -1;
  choices.quantity = parser.value(quantity);
  choices.step = parser.isSet(step) ? parser.value(step).toLong() : -1;
  choices.unit = parser.isSet(unit) ? parser.value(unit).toInt() : -1;
  choices.dock = parser.value(dock);
  choices.attribution = parser.value(attribution);
  choices.interventions = parser.values(intervene);
  choices.runShown = parser.value(showRun);
  choices.effects = parser.value(effects);
  if (parser.isSet(match)) {
    bool ok = false;
    choices.matches = parser.value(match).toInt(&ok);
    if (!ok || choices.matches < 1 || choices.matches > 1000) error = QStringLiteral("--match wants N from 1 to 1000");
  }
  if (parser.isSet(select)) {
    const QStringList range = parser.value(select).split(QLatin1Char(':'));
    bool ok1 = false, ok2 = false;
    choices.brush = {range.value(0).toLong(&ok1), range.value(1).toLong(&ok2)};
    if (range.size() != 2 || !ok1 || !ok2 || choices.brush.first < 0 || choices.brush.end <= choices.brush.first)
      error = QStringLiteral("--select wants FIRST:END with 0 <= FIRST < END");
  }
  return choices;
}

QSize parseSize(const QString& text) {
  const QStringList wh = text.split(QLatin1Char('x'));
  bool okW = false, okH = false;
  const QSize size(wh.value(0).toInt(&okW), wh.value(1).toInt(&okH));
  return wh.size() == 2 && okW && okH ? size : QSize();
}

}  // namespace lstmscope::app
