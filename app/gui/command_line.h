// The desktop app's command line: `lstmscope [MODEL] [--vocab V] [--text-file F | --csv F] [--screenshot
// OUT.png]` plus options that choose the first view and export figures (docs/APP.md, "Command line").
#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QSize>
#include <QString>

#include "app/gui/startup_choices.h"

namespace lstmscope::app {

struct AppCommandLine {
  AppCommandLine();  // defines every option

  // Parses without an application object. False when the arguments are not valid (parser.errorText()).
  bool parse(const QStringList& arguments) { return parser.parse(arguments); }
  // After parse(): --help or --version, answered by QCommandLineParser::process on a QCoreApplication,
  // without a display.
  bool wantsHelpOrVersion() const;
  // What to show first, from --layer, --quantity, --select, ...; `error` says what is wrong with them.
  StartupChoices startupChoices(QString& error) const;
  bool shooting() const { return parser.isSet(screenshot) || parser.isSet(exportTo); }

  QCommandLineParser parser;
  const QCommandLineOption vocab, textFile, chunk, hop, labelColumn, screenshot, size, layer, quantity, select, step,
      unit, dock, attribution, match, intervene, showRun, effects, exportTo, exportView, exportSize, exportMarks, dpi;
};

// "WxH" -> a size, or an invalid QSize when the text is not two positive integers around an 'x'.
QSize parseSize(const QString& text);

}  // namespace lstmscope::app
