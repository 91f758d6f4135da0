#include "app/gui/installed_files.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace lstmscope::app {

QString installedExamplesFolder() {
  // Beside the program first: an installation under any prefix (cmake --install --prefix P) finds its own.
  const QString besideProgram =
      QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../share/lstmscope/examples"));
  if (QFileInfo(besideProgram).isDir()) return QDir::cleanPath(besideProgram);
  return QStandardPaths::locate(QStandardPaths::GenericDataLocation, QStringLiteral("lstmscope/examples"),
                                QStandardPaths::LocateDirectory);
}

}  // namespace lstmscope::app
