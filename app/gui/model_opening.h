// Opening a foreign model in the window: the import dialog when the file's choices are not remembered yet
// (next to the model), and File › Import Settings… to review them.
#pragma once

#include <QString>
#include <optional>

#include "core/formats/foreign/import_report.h"

class QWidget;

namespace lstmscope::app {

struct ModelOpening {
  bool accepted = false;  // false: the user cancelled the dialog; open nothing
  QString vocabPath;
  std::optional<ImportChoices> choices;  // unset: the remembered ones (the sidecar's) apply
  QString remembered;                    // a note when remembered choices were used
};

// How to open `path`: directly (a native model, remembered choices, or not `interactive`), or as the
// import dialog decides.
ModelOpening chooseImport(const QString& path, const QString& vocabPath, bool interactive, QWidget* parent);
// The embedded demo model as a file (HDF5 reads files): its path, or "" with `error` saying why not.
QString unpackDemoModel(QString& error);
// The import dialog for a model already open.
ModelOpening reviewImport(const QString& path, const QString& vocabPath, QWidget* parent);

}  // namespace lstmscope::app
