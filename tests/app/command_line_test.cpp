// The app's command line answers --help, --version and usage errors without a display: no platform plugin
// is loaded for them (on a machine without X they used to abort inside Qt before printing anything).
#include <gtest/gtest.h>

#include <QProcess>
#include <QProcessEnvironment>

#include "app/gui/exported_views.h"
#include "core/common/version.h"

namespace {

struct AppRun {
  int exitCode;
  QString out, err;
};

// Runs the app with no display at all: no DISPLAY, no WAYLAND_DISPLAY, no QT_QPA_PLATFORM.
AppRun runWithoutDisplay(const QStringList& arguments) {
  QProcess app;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(QString::fromLatin1(name));
  app.setProcessEnvironment(env);
  app.start(QStringLiteral(LSTMSCOPE_APP), arguments);
  EXPECT_TRUE(app.waitForFinished(30000));
  return {app.exitStatus() == QProcess::NormalExit ? app.exitCode() : -1,
          QString::fromUtf8(app.readAllStandardOutput()), QString::fromUtf8(app.readAllStandardError())};
}

TEST(AppCommandLine, HelpWorksWithoutADisplayAndListsEveryExportableView) {
  const AppRun run = runWithoutDisplay({QStringLiteral("--help")});
  ASSERT_EQ(run.exitCode, 0) << run.err.toStdString();
  EXPECT_TRUE(run.out.contains(QStringLiteral("--screenshot"))) << run.out.toStdString();
  const QStringList views = lstmscope::app::exportViewKeys();
  EXPECT_EQ(views.size(), 9);
  // The help text is wrapped; compare it with its line breaks and indentation removed.
  const QString flat = run.out.simplified();
  for (const QString& view : views) EXPECT_TRUE(flat.contains(view)) << view.toStdString();
}

TEST(AppCommandLine, VersionWorksWithoutADisplay) {
  const AppRun run = runWithoutDisplay({QStringLiteral("--version")});
  ASSERT_EQ(run.exitCode, 0) << run.err.toStdString();
  EXPECT_EQ(run.out.trimmed(), QStringLiteral("LSTMScope ") + QString::fromUtf8(lstmscope::kVersion));
}

TEST(AppCommandLine, AnUnknownOptionIsAUsageError) {
  const AppRun run = runWithoutDisplay({QStringLiteral("--no-such-option")});
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_TRUE(run.err.contains(QStringLiteral("no-such-option"))) << run.err.toStdString();
}

}  // namespace
