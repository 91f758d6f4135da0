// docs/APP.md: `lstmscope --screenshot OUT.png` saves the analysed window and exits 0; a bad model
// exits non-zero with a message naming it.
#include <gtest/gtest.h>

#include <QImage>
#include <QTemporaryDir>

#include "tests/app/app_process.h"

namespace {

TEST(Screenshot, SavesTheAnalysedWindowAndExits) {
  QTemporaryDir dir;
  const QString out = dir.filePath(QStringLiteral("shot.png"));
  const lstmscope::test::AppRun run = lstmscope::test::runAppOffscreen(
      {QStringLiteral("--screenshot"), out, QStringLiteral("--size"), QStringLiteral("1280x800")});
  ASSERT_EQ(run.exitCode, 0) << run.stderrText.toStdString();
  const QImage image(out);
  EXPECT_EQ(image.size(), QSize(1280, 800));
}

TEST(Screenshot, BadModelExitsWithItsName) {
  QTemporaryDir dir;
  const lstmscope::test::AppRun run = lstmscope::test::runAppOffscreen(
      {QStringLiteral("/no/such/model.h5"), QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png"))});
  EXPECT_EQ(run.exitCode, 3);
  EXPECT_TRUE(run.stderrText.contains(QStringLiteral("/no/such/model.h5"))) << run.stderrText.toStdString();
}

}  // namespace
