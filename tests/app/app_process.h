// Running the app's binary (LSTMSCOPE_APP) offscreen from a test, as a user runs it from a shell, and
// what it exited with and said.
#pragma once

#include <gtest/gtest.h>

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

namespace lstmscope::test {

struct AppRun {
  int exitCode;  // -1 when the app crashed
  QString stderrText;
};

// `extraEnvironment`: variables set on top of this process's (a settings folder of the test's own).
inline AppRun runAppOffscreen(const QStringList& arguments, const QProcessEnvironment& extraEnvironment = {}) {
  QProcess app;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  env.insert(extraEnvironment);
  app.setProcessEnvironment(env);
  app.start(QStringLiteral(LSTMSCOPE_APP), arguments);
  EXPECT_TRUE(app.waitForFinished(120000));
  return {app.exitStatus() == QProcess::NormalExit ? app.exitCode() : -1,
          QString::fromUtf8(app.readAllStandardError())};
}

}  // namespace lstmscope::test
