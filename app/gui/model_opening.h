// Opening a foreign model in the window: the import dialog when reading it needed an assumption and no
// choices are remembered for it (in the app's settings, or in a MODEL.lstmscope.json beside it written by
// `lstmscope-cli --remember`), and File › Import Settings… to review them.
#pragma once

#include <QString>
#include <optional>

#include "core/formats/foreign/import_choices_file.h"

class QWidget;

namespace lstmscope::app {

struct ModelOpening {
  bool accepted = false;  // false: the user cancelled the dialog; open nothing
  QString vocabPath;
  std::optional<ImportChoices> choices;  // unset: the sidecar's choices (if any) apply
  QString note;  // for the status bar: remembered choices were used, or the file needed no assumption
};

// How to open `path`: directly (a native model, remembered choices, a foreign file read without any
// assumption, or not `interactive`), or as the import dialog decides.
ModelOpening chooseImport(const QString& path, const QString& vocabPath, bool interactive, QWidget* parent);
// The embedded demo model as a file (HDF5 reads files): its path, or "" with `error` saying why not.
QString unpackDemoModel(QString& error);
// The import dialog for a model already open.
ModelOpening reviewImport(const QString& path, const QString& vocabPath, QWidget* parent);

// Import choices the app remembers in its settings (QSettings), never in a file beside someone else's
// model. Keyed by the model's absolute path, size and modification time, so a replaced or retrained
// file is asked about again.
std::optional<SavedImport> rememberedImport(const QString& modelPath);
void rememberImport(const QString& modelPath, const SavedImport& saved);
void forgetImport(const QString& modelPath);

}  // namespace lstmscope::app
