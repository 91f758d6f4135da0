// File › Open Example… (docs/PACKAGING.md): the installed examples are found in the system's data folders and
// opened from a file dialog that starts there; a build folder has none, and the entry is off.
#include "app/gui/installed_files.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "app/gui/analysis_session.h"
#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

QAction* openExampleAction(MainWindow& window) {
  for (QAction* a : window.menuBar()->findChildren<QAction*>())
    if (a->text() == QStringLiteral("Open E&xample…")) return a;
  return nullptr;
}

// XDG_DATA_DIRS set for one test and put back afterwards.
class DataDirs {
 public:
  explicit DataDirs(const QString& dirs) : saved_(qgetenv("XDG_DATA_DIRS")) { qputenv("XDG_DATA_DIRS", dirs.toUtf8()); }
  ~DataDirs() { qputenv("XDG_DATA_DIRS", saved_); }

 private:
  QByteArray saved_;
};

TEST(InstalledFiles, ABuildFolderHasNoExamplesAndTheEntryIsOff) {
  QTemporaryDir nothing;
  const DataDirs dirs(nothing.path());
  EXPECT_TRUE(installedExamplesFolder().isEmpty()) << installedExamplesFolder().toStdString();
  MainWindow window;
  QAction* openExample = openExampleAction(window);
  ASSERT_NE(openExample, nullptr);
  EXPECT_FALSE(openExample->isEnabled());
  EXPECT_TRUE(openExample->statusTip().contains(QStringLiteral("not installed")));
}

TEST(InstalledFiles, OpenExampleStartsInTheInstalledExamplesAndOpensTheChosenModel) {
  QTemporaryDir share;
  ASSERT_TRUE(QDir(share.path()).mkpath(QStringLiteral("lstmscope/examples")));
  const QString examples = share.filePath(QStringLiteral("lstmscope/examples"));
  const QString model = examples + QStringLiteral("/python_char.h5");
  ASSERT_TRUE(QFile::copy(QStringLiteral(LSTMSCOPE_SOURCE_DIR "/resources/demo/python_char.h5"), model));
  const DataDirs dirs(share.path() + QStringLiteral(":/usr/share"));
  EXPECT_EQ(installedExamplesFolder(), examples);

  MainWindow window;
  test::prepareForTest(window);
  QAction* openExample = openExampleAction(window);
  ASSERT_NE(openExample, nullptr);
  ASSERT_TRUE(openExample->isEnabled());
  // The dialog, when it appears: it must start in the examples; the model is then chosen as a user does.
  QString startedIn;
  QTimer::singleShot(0, [&] {
    QTRY_VERIFY(QApplication::activeModalWidget() != nullptr);
    auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
    if (!dialog) return;
    startedIn = dialog->directory().absolutePath();
    dialog->selectFile(model);
    QMetaObject::invokeMethod(dialog, "accept");  // as the Open button does
  });
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  openExample->trigger();
  EXPECT_EQ(startedIn, examples);
  EXPECT_TRUE(shown.count() > 0 || shown.wait(60'000));
  EXPECT_EQ(window.session()->modelPath(), model);
}

}  // namespace
}  // namespace lstmscope::app
