// The import dialog for a foreign model (PyTorch, safetensors, Keras): what each tensor became, what had
// to be assumed, and the choices that correct it (vocabulary file and its tokenization, task, what the
// head reads and its activation, the embedding tensor). Every change re-reads the model in the
// background (stale reads are dropped); OK is enabled once the choices give a valid model, and "Remember"
// stores them in MODEL.lstmscope.json so that the next open needs no dialog.
#pragma once

#include <QDialog>
#include <memory>

#include "core/formats/foreign/import_report.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace lstmscope::app {

class ImportDialog : public QDialog {
  Q_OBJECT

 public:
  ImportDialog(QString modelPath, QString vocabPath, QWidget* parent = nullptr);

  QString vocabPath() const;
  ImportChoices choices() const;
  bool remember() const;
  // The model as the current choices read it; null until a read succeeded.
  std::shared_ptr<const ImportedModel> imported() const { return imported_; }

 signals:
  void readFinished();  // after every background read, successful or not (tests wait on it)

 private:
  void buildForm();
  void reread();
  void showRead(std::shared_ptr<const ImportedModel> imported, const QString& error);
  void acceptAndRemember();

  QString modelPath_;
  QLineEdit* vocab_ = nullptr;
  QComboBox *level_ = nullptr, *lowercase_ = nullptr, *task_ = nullptr, *reads_ = nullptr, *activation_ = nullptr,
            *embedding_ = nullptr;
  QLineEdit* unk_ = nullptr;
  QCheckBox* remember_ = nullptr;
  QLabel *summary_ = nullptr, *assumptions_ = nullptr, *error_ = nullptr;
  QTableWidget* tensors_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
  std::shared_ptr<const ImportedModel> imported_;
  int generation_ = 0;  // the newest read; older results are dropped
};

}  // namespace lstmscope::app
