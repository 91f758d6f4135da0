// The one main of every Qt test (docs/DEVELOPING.md, design rule 10): an offscreen platform, a fixed
// device pixel ratio and private settings, so that widget tests give the same pixels on every machine, with
// or without a display. With LSTMSCOPE_TEST_ON_DISPLAY=1 the tests run on the display the environment
// gives (the app_on_xvfb test: a real X server under xvfb-run, with its window manager-less focus and
// event delivery).
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv) {
  if (qgetenv("LSTMSCOPE_TEST_ON_DISPLAY") != "1") qputenv("QT_QPA_PLATFORM", "offscreen");
  qputenv("QT_SCALE_FACTOR", "1");
  qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");
  QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location, not the user's
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("LSTMScopeTests"));
  QApplication::setApplicationName(QStringLiteral("LSTMScopeTests"));
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
