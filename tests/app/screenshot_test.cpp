// docs/APP.md: `lstmscope --screenshot OUT.png` saves the analysed window and exits 0; a bad model
// exits non-zero with a message naming it.
#include <gtest/gtest.h>

#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

namespace {

struct AppRun {
  int exitCode;
  QString stderrText;
};

AppRun runApp(const QStringList& arguments) {
  QProcess app;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  app.setProcessEnvironment(env);
  app.start(QStringLiteral(LSTMSCOPE_APP), arguments);
  EXPECT_TRUE(app.waitForFinished(120000));
  return {app.exitCode(), QString::fromUtf8(app.readAllStandardError())};
}

TEST(Screenshot, SavesTheAnalysedWindowAndExits) {
  QTemporaryDir dir;
  const QString out = dir.filePath(QStringLiteral("shot.png"));
  const AppRun run =
      runApp({QStringLiteral("--screenshot"), out, QStringLiteral("--size"), QStringLiteral("1280x800")});
  ASSERT_EQ(run.exitCode, 0) << run.stderrText.toStdString();
  const QImage image(out);
  EXPECT_EQ(image.size(), QSize(1280, 800));
}

TEST(Screenshot, BadModelExitsWithItsName) {
  QTemporaryDir dir;
  const AppRun run = runApp(
      {QStringLiteral("/no/such/model.h5"), QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png"))});
  EXPECT_EQ(run.exitCode, 3);
  EXPECT_TRUE(run.stderrText.contains(QStringLiteral("/no/such/model.h5"))) << run.stderrText.toStdString();
}

}  // namespace
