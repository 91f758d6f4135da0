#include "app/gui/model_opening.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <filesystem>

#include "app/gui/import_dialog.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/model_loader.h"

namespace lstmscope::app {
namespace {

bool hasSidecar(const QString& modelPath) {
  std::error_code ec;
  return std::filesystem::exists(sidecarPath(modelPath.toStdString()), ec);
}

}  // namespace

ModelOpening chooseImport(const QString& path, const QString& vocabPath, bool interactive, QWidget* parent) {
  if (interactive && !hasSidecar(path) && isForeignModel(path.toStdString()))
    return reviewImport(path, vocabPath, parent);
  ModelOpening opening;
  opening.accepted = true;
  opening.vocabPath = vocabPath;
  if (hasSidecar(path))
    opening.remembered = QObject::tr(
                             "Opened %1 with its remembered import choices (File › Import Settings… to "
                             "change them)")
                             .arg(QFileInfo(path).fileName());
  return opening;
}

QString unpackDemoModel(QString& error) {
  // Compiled in, and copied out to a private temporary directory once per run.
  static QTemporaryDir dir;
  const QString path = dir.path() + QStringLiteral("/python_char.h5");
  if (QFileInfo::exists(path) || QFile::copy(QStringLiteral(":/demo/python_char.h5"), path)) return path;
  error = QObject::tr("the embedded demo model could not be unpacked to %1").arg(dir.path());
  return {};
}

ModelOpening reviewImport(const QString& path, const QString& vocabPath, QWidget* parent) {
  ImportDialog dialog(path, vocabPath, parent);
  ModelOpening opening;
  if (dialog.exec() != QDialog::Accepted) return opening;
  opening.accepted = true;
  opening.vocabPath = dialog.vocabPath();
  if (!dialog.remember()) opening.choices = dialog.choices();
  return opening;
}

}  // namespace lstmscope::app
