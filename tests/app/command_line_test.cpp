// The app's command line answers --help, --version and usage errors without a display: no platform plugin
// is loaded for them (on a machine without X they used to abort inside Qt before printing anything).
#include <gtest/gtest.h>

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTemporaryDir>

#include "app/gui/exported_views.h"
#include "core/common/version.h"
#include "tests/app/app_process.h"

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
  EXPECT_EQ(views.size(), 16);  // ... effectsMap, effectsBars, probeRanking, probeCurve, probeL1Path
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

// --export-size in millimetres gives a PNG of that size at --dpi; a size it cannot read is a usage error
// that says what it wants.
TEST(AppCommandLine, ExportSizeInMillimetresAndBadSizes) {
  QTemporaryDir dir;
  const QString png = dir.filePath(QStringLiteral("column.png"));
  QProcess app;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  app.setProcessEnvironment(env);
  app.start(QStringLiteral(LSTMSCOPE_APP), {QStringLiteral("--export"), png, QStringLiteral("--export-size"),
                                            QStringLiteral("89mmx60"), QStringLiteral("--dpi"), QStringLiteral("300")});
  ASSERT_TRUE(app.waitForFinished(180000));
  ASSERT_EQ(app.exitCode(), 0) << app.readAllStandardError().toStdString();
  EXPECT_EQ(QImage(png).size(), QSize(1051, 709));
  for (const char* bad : {"12 by 9", "89mmx60in", "x"}) {
    app.start(QStringLiteral(LSTMSCOPE_APP),
              {QStringLiteral("--export"), png, QStringLiteral("--export-size"), QString::fromLatin1(bad)});
    ASSERT_TRUE(app.waitForFinished(30000));
    EXPECT_EQ(app.exitCode(), 2) << bad;
    const QString err = QString::fromUtf8(app.readAllStandardError());
    EXPECT_TRUE(err.contains(QStringLiteral("--export-size wants WxH"))) << err.toStdString();
  }
}

}  // namespace

// A text the app cannot read, with --screenshot: exit 3 and the reason said once (it was printed twice:
// once by the failed analysis, once more on the way out).
TEST(AppCommandLine, AnUnreadableTextIsSaidOnce) {
  QTemporaryDir dir;
  const QString bad = dir.filePath(QStringLiteral("bad.txt"));
  QFile file(bad);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("abc\xff\xfe def\n");
  file.close();
  for (const QString& text : {bad, dir.filePath(QStringLiteral("missing.txt"))}) {
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(LSTMSCOPE_APP), {QStringLiteral("--text-file"), text, QStringLiteral("--screenshot"),
                                              dir.filePath(QStringLiteral("never.png"))});
    ASSERT_TRUE(app.waitForFinished(60000));
    EXPECT_EQ(app.exitCode(), 3);
    const QString err = QString::fromUtf8(app.readAllStandardError());
    EXPECT_EQ(err.count(QStringLiteral("lstmscope: ") + text), 1) << err.toStdString();
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("never.png"))));
  }
}

// A text the model cannot read is named by its file, as the CLI names it; and a --screenshot run leaves
// File › Open Recent as it was (it is reproducible, and its files are not the user's).
TEST(AppCommandLine, ATextTheModelCannotReadIsNamedByItsFileAndNotRemembered) {
  QTemporaryDir dir;
  const QString bad = dir.filePath(QStringLiteral("snowman.py"));
  QFile file(bad);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("x = \"\xe2\x98\x83\"\n");
  file.close();
  QProcessEnvironment config;  // a settings folder of its own, to see what the run wrote there
  config.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
  const lstmscope::test::AppRun run = lstmscope::test::runAppOffscreen(
      {QStringLiteral("--text-file"), bad, QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png"))},
      config);
  EXPECT_EQ(run.exitCode, 3);
  const QString& err = run.stderrText;
  EXPECT_TRUE(err.contains(QStringLiteral("lstmscope: ") + bad + QStringLiteral(": character '\u2603' at line 1")))
      << err.toStdString();
  const QString settings = dir.filePath(QStringLiteral("config/LSTMScope/LSTMScope.conf"));
  EXPECT_FALSE(QSettings(settings, QSettings::IniFormat).contains(QStringLiteral("recentTexts")));
}

namespace lstmscope::test {
namespace {

// A layer, step, unit or range beyond the demo (2 layers of 256 units, 3,587 steps) is refused with exit 3
// and says what exists, instead of showing the nearest one.
TEST(AppCommandLine, ChoicesBeyondTheModelOrTheInputAreRefused) {
  QTemporaryDir dir;
  const QString shot = dir.filePath(QStringLiteral("x.png"));
  const std::pair<QStringList, QString> cases[] = {
      {{QStringLiteral("--layer"), QStringLiteral("5")}, QStringLiteral("--layer 5: the model has 2 layer(s), 0 to 1")},
      {{QStringLiteral("--step"), QStringLiteral("99999")},
       QStringLiteral("--step 99999: the input has 3587 steps, 0 to 3586")},
      {{QStringLiteral("--select"), QStringLiteral("3580:3600")},
       QStringLiteral("--select 3580:3600: the input has 3587 steps, so the range ends at 3587 at most")},
      {{QStringLiteral("--unit"), QStringLiteral("999")},
       QStringLiteral("--unit 999: layer 1 has 256 units, 0 to 255")},
  };
  for (const auto& [options, message] : cases) {
    const AppRun run = runAppOffscreen(options + QStringList{QStringLiteral("--screenshot"), shot});
    EXPECT_EQ(run.exitCode, 3) << options.join(QLatin1Char(' ')).toStdString();
    EXPECT_TRUE(run.stderrText.contains(message)) << run.stderrText.toStdString();
    EXPECT_FALSE(QFile::exists(shot));
  }
}

}  // namespace
}  // namespace lstmscope::test
