// Help › Contents opens the documentation shipped inside the app (F1 on the shown window), with links
// between its pages; About names the versions LSTMScope runs on.
#include <gtest/gtest.h>

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>

#include "app/gui/help_window.h"
#include "core/common/version.h"
#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

// Where, in the browser's viewport, the first link to `href` is drawn; (-1, -1) when there is none.
QPoint linkPosition(QTextBrowser& browser, const QString& href) {
  for (QTextBlock block = browser.document()->begin(); block.isValid(); block = block.next())
    for (auto it = block.begin(); !it.atEnd(); ++it) {
      const QTextFragment fragment = it.fragment();
      if (fragment.charFormat().anchorHref() != href) continue;
      QTextCursor cursor(browser.document());
      cursor.setPosition(fragment.position() + fragment.length() / 2);
      browser.setTextCursor(cursor);
      browser.ensureCursorVisible();
      return browser.cursorRect(cursor).center();
    }
  return {-1, -1};
}

TEST(Help, F1OpensTheShippedDocsAndTheirLinksWork) {
  MainWindow window;
  test::prepareForTest(window);
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  QTest::keyClick(&window, Qt::Key_F1);
  auto* help = window.findChild<HelpWindow*>();
  ASSERT_NE(help, nullptr);
  EXPECT_TRUE(help->isVisible());
  const QString page = help->browser()->toPlainText();
  EXPECT_TRUE(page.startsWith(QStringLiteral("The desktop app"))) << page.left(80).toStdString();
  EXPECT_TRUE(page.contains(QStringLiteral("--screenshot")));
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    help->grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/help.png"));

  // Clicking a link to another page opens it in the help window.
  const QPoint link = linkPosition(*help->browser(), QStringLiteral("ATTRIBUTION.md"));
  ASSERT_NE(link, QPoint(-1, -1));
  QTest::mouseClick(help->browser()->viewport(), Qt::LeftButton, {}, link);
  EXPECT_EQ(help->browser()->source().toString(), QStringLiteral("qrc:/docs/ATTRIBUTION.md"));
  EXPECT_TRUE(help->browser()->toPlainText().contains(QStringLiteral("Integrated Gradients")))
      << help->browser()->toPlainText().left(200).toStdString();

  // F1 again brings back the same window.
  help->hide();
  QTest::keyClick(&window, Qt::Key_F1);
  EXPECT_EQ(window.findChildren<HelpWindow*>().size(), 1);
  EXPECT_TRUE(help->isVisible());
}

TEST(Help, AboutNamesEveryVersion) {
  const QString about = aboutText();
  EXPECT_TRUE(about.contains(QStringLiteral("LSTMScope ") + QString::fromUtf8(kVersion)));
  EXPECT_TRUE(about.contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())));
  const QRegularExpression version(QStringLiteral("HDF5 1\\.\\d+\\.\\d+ · Eigen 3\\.\\d+\\.\\d+"));
  EXPECT_TRUE(version.match(about).hasMatch()) << about.toStdString();
}

}  // namespace
}  // namespace lstmscope::app
