// The one main of every Qt test (docs/DEVELOPING.md, design rule 10): an offscreen platform, a fixed
// device pixel ratio and private settings, so that widget tests give the same pixels on every machine, with
// or without a display.
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  qputenv("QT_SCALE_FACTOR", "1");
  qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");
  QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location, not the user's
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("LSTMScopeTests"));
  QApplication::setApplicationName(QStringLiteral("LSTMScopeTests"));
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
