// The import dialog for a foreign model (PyTorch, safetensors, Keras): what each tensor became, what had
// to be assumed, and the choices that correct it (vocabulary file or typed tokens and their tokenization,
// task, what the head reads and its activation, the embedding tensor). Every change re-reads the model in
// the background (stale reads are dropped); Open is enabled once the choices give a valid model.
// "Remember" (off unless the choices were remembered before) keeps them in the app's settings
// (rememberImport), so that the next open of the same file needs no dialog; nothing is written beside
// the model. It starts from the remembered choices, else from a MODEL.lstmscope.json beside the model.
#pragma once

#include <QDialog>
#include <memory>

#include "core/formats/foreign/import_choices_file.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableWidget;
class QTimer;

namespace lstmscope::app {

class ImportDialog : public QDialog {
  Q_OBJECT

 public:
  ImportDialog(QString modelPath, QString vocabPath, QWidget* parent = nullptr);
  ~ImportDialog() override;

  QString vocabPath() const;
  ImportChoices choices() const;
  bool remember() const;
  // The model as the current choices read it; null until a read succeeded.
  std::shared_ptr<const ImportedModel> imported() const { return imported_; }
  bool reading() const { return reading_; }  // a read is under way; readFinished() follows

 signals:
  void readFinished();  // after every background read, successful or not (tests wait on it)

 private:
  void buildForm();
  void startFrom(const SavedImport& saved, bool vocabGiven);
  void showTokenCount();
  void reread();
  void showRead(std::shared_ptr<const ImportedModel> imported, const QString& error);
  void acceptAndRemember();

  QString modelPath_;
  QLineEdit* vocab_ = nullptr;
  QComboBox *level_ = nullptr, *lowercase_ = nullptr, *task_ = nullptr, *reads_ = nullptr, *activation_ = nullptr,
            *embedding_ = nullptr, *part_ = nullptr;
  QLineEdit* unk_ = nullptr;
  QPlainTextEdit* tokens_ = nullptr;  // typed or pasted tokens (parseTypedTokens); they replace the file
  QLabel* tokenCount_ = nullptr;
  QTimer* typingPause_ = nullptr;  // re-reads once typing pauses, not at every key
  QCheckBox* remember_ = nullptr;
  bool wasRemembered_ = false;  // started from choices remembered in the settings
  QLabel *summary_ = nullptr, *assumptions_ = nullptr, *error_ = nullptr;
  QTableWidget* tensors_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
  std::shared_ptr<const ImportedModel> imported_;
  int generation_ = 0;  // the newest read; older results are dropped
  bool reading_ = false;
  QString readVocab_, readUnk_;  // the texts the newest read used
};

}  // namespace lstmscope::app
