#include "app/cli/offscreen_application.h"

#include <cstdio>

namespace lstmscope::cli {
namespace {

// Qt's notes about the missing desktop (no XDG runtime directory, an offscreen platform without window
// hints) mean nothing to a CLI user; everything else still reaches stderr.
void quietAboutTheMissingDesktop(QtMsgType type, const QMessageLogContext& context, const QString& message) {
  if (message.contains(QLatin1String("XDG_RUNTIME_DIR")) || message.contains(QLatin1String("propagateSizeHints")))
    return;
  std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

}  // namespace

std::unique_ptr<QApplication> offscreenApplication() {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  qInstallMessageHandler(quietAboutTheMissingDesktop);
  static int argc = 1;
  static char name[] = "lstmscope-cli";
  static char* argv[] = {name, nullptr};
  return std::unique_ptr<QApplication>(QApplication::instance() ? nullptr : new QApplication(argc, argv));
}

}  // namespace lstmscope::cli
