// Opening foreign models in the window: the import dialog when a file's choices are not remembered yet.
#include <QFileInfo>
#include <QStatusBar>
#include <filesystem>

#include "app/gui/import_dialog.h"
#include "app/gui/main_window.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/model_loader.h"

namespace lstmscope::app {

namespace {

bool hasSidecar(const QString& modelPath) {
  std::error_code ec;
  return std::filesystem::exists(sidecarPath(modelPath.toStdString()), ec);
}

}  // namespace

void MainWindow::openModelInteractively(const QString& path) {
  const std::string file = path.toStdString();
  if (!interactive_ || hasSidecar(path) || !isForeignModel(file)) {
    openModel(path);
    if (hasSidecar(path))
      statusBar()->showMessage(
          tr("Opened %1 with its remembered import choices (File › Import Settings… to change them)")
              .arg(QFileInfo(path).fileName()),
          10000);
    return;
  }
  ImportDialog dialog(path, QString(), this);
  if (dialog.exec() != QDialog::Accepted) return;
  openModel(path, dialog.vocabPath(), dialog.remember() ? std::nullopt : std::optional(dialog.choices()));
}

void MainWindow::showImportReport(const ImportReport& report) {
  modelLabel_->setToolTip(QString::fromStdString(describeImport(report)));
  if (report.format == "LSTMScope model" || report.assumptions.empty()) return;
  statusBar()->showMessage(tr("%1 (%2): %n thing(s) assumed, such as “%3”. Hover over the model name for the "
                              "list; File › Import Settings… corrects them.",
                              nullptr, static_cast<int>(report.assumptions.size()))
                               .arg(QFileInfo(modelPath_).fileName(), QString::fromStdString(report.format),
                                    QString::fromStdString(report.assumptions.front())),
                           15000);
}

void MainWindow::importSettings() {
  if (modelPath_.isEmpty() || !isForeignModel(modelPath_.toStdString()))
    return showError(tr("Import settings apply to PyTorch and Keras models; the current model is a native file."));
  ImportDialog dialog(modelPath_, vocabPath_, this);
  if (dialog.exec() != QDialog::Accepted) return;
  openModel(modelPath_, dialog.vocabPath(), dialog.remember() ? std::nullopt : std::optional(dialog.choices()));
}

}  // namespace lstmscope::app
