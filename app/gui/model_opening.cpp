#include "app/gui/model_opening.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <filesystem>

#include "app/gui/import_dialog.h"
#include "core/common/error.h"
#include "core/formats/model_loader.h"

namespace lstmscope::app {
namespace {

bool hasSidecar(const QString& modelPath) {
  std::error_code ec;
  return std::filesystem::exists(sidecarPath(modelPath.toStdString()), ec);
}

// The settings key of a model file as it is now; "" for a file that does not exist.
QString settingsKey(const QString& modelPath) {
  const QFileInfo file(modelPath);
  if (!file.isFile()) return {};
  const QString identity = file.absoluteFilePath() + QLatin1Char('\n') + QString::number(file.size()) +
                           QLatin1Char('\n') + QString::number(file.lastModified().toMSecsSinceEpoch());
  return QStringLiteral("importChoices/") +
         QString::fromLatin1(QCryptographicHash::hash(identity.toUtf8(), QCryptographicHash::Sha1).toHex());
}

// The dialog's first read, waited for before deciding whether to show it. The window keeps painting but
// takes no input meanwhile, as under a modal dialog; reading an LSTM's weights takes well under a second.
void waitForFirstRead(ImportDialog& dialog) {
  if (!dialog.reading()) return;
  QEventLoop loop;
  QObject::connect(&dialog, &ImportDialog::readFinished, &loop, &QEventLoop::quit);
  QGuiApplication::setOverrideCursor(Qt::WaitCursor);
  loop.exec(QEventLoop::ExcludeUserInputEvents);
  QGuiApplication::restoreOverrideCursor();
}

ModelOpening runDialog(ImportDialog& dialog) {
  ModelOpening opening;
  if (dialog.exec() != QDialog::Accepted) return opening;
  opening.accepted = true;
  opening.vocabPath = dialog.vocabPath();
  opening.choices = dialog.choices();  // as shown, whether remembered or not
  return opening;
}

}  // namespace

ModelOpening chooseImport(const QString& path, const QString& vocabPath, bool interactive, QWidget* parent) {
  ModelOpening opening;
  opening.accepted = true;
  opening.vocabPath = vocabPath;
  if (!isForeignModel(path.toStdString())) return opening;
  const QString name = QFileInfo(path).fileName();
  if (const std::optional<SavedImport> saved = rememberedImport(path)) {
    opening.choices = saved->choices;
    if (vocabPath.isEmpty()) opening.vocabPath = QString::fromStdString(saved->vocabPath);
    opening.note = QObject::tr(
                       "Opened %1 with the import choices LSTMScope remembers for it (File › Import Settings… to "
                       "change them)")
                       .arg(name);
    return opening;
  }
  if (hasSidecar(path)) {
    opening.note = QObject::tr(
                       "Opened %1 with the import choices remembered beside it (File › Import Settings… to "
                       "change them)")
                       .arg(name);
    return opening;
  }
  if (!interactive) return opening;
  // Ask only when reading it needed an assumption: a file that says everything opens straight away.
  ImportDialog dialog(path, vocabPath, parent);
  waitForFirstRead(dialog);
  if (const auto imported = dialog.imported(); imported && imported->report.assumptions.empty()) {
    opening.note = QObject::tr("Opened %1 (%2): nothing had to be assumed")
                       .arg(name, QString::fromStdString(imported->report.format));
    return opening;
  }
  return runDialog(dialog);
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
  return runDialog(dialog);
}

std::optional<SavedImport> rememberedImport(const QString& modelPath) {
  const QString key = settingsKey(modelPath);
  if (key.isEmpty()) return std::nullopt;
  const QString text = QSettings().value(key).toString();
  if (text.isEmpty()) return std::nullopt;
  try {
    return parseSavedImport(text.toStdString(), "the remembered import choices", "");
  } catch (const InputError&) {
    return std::nullopt;  // written by another version: ask again
  }
}

void rememberImport(const QString& modelPath, const SavedImport& saved) {
  const QString key = settingsKey(modelPath);
  if (!key.isEmpty()) QSettings().setValue(key, QString::fromStdString(savedImportJson(saved, "")));
}

void forgetImport(const QString& modelPath) {
  const QString key = settingsKey(modelPath);
  if (!key.isEmpty()) QSettings().remove(key);
}

}  // namespace lstmscope::app
