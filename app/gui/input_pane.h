// The Text dock: what the model reads. Text for a model of tokens; for a model of numeric features a CSV
// table (core/formats/feature_csv.h), whose steps are labelled by number or by one of its columns. Edits
// are reported once typing pauses.
#pragma once

#include <QString>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QPlainTextEdit;

namespace lstmscope::app {

struct AnalysisResult;

class InputPane : public QWidget {
  Q_OBJECT
 public:
  explicit InputPane(QWidget* parent = nullptr);

  QString text() const;
  void setText(const QString& text);         // as if typed: editSettled() follows after the pause
  void setTextQuietly(const QString& text);  // the caller analyses; no edit pause
  void showSampleText();                     // the demo's sample text (compiled in), put in quietly
  // Puts a UTF-8 text file's content in quietly. Returns what is wrong with the file, or "" (then taken).
  QString openFile(const QString& path);
  bool isSample() const { return isSample_; }  // the sample text, untouched
  // Placeholder, step-label choices and the reader's notes for the analysed input's kind.
  void showInputKind(const AnalysisResult& result);

  QPlainTextEdit* editor() const { return editor_; }
  QComboBox* stepLabelChoice() const { return stepLabels_; }

 signals:
  void editSettled();                      // the user edited the text and then paused
  void labelColumnChosen(QString column);  // empty: step numbers
  void notes(QString message);             // what the CSV reader decided on its own

 private:
  QWidget* stepLabelRow_ = nullptr;  // shown for CSV input only
  QComboBox* stepLabels_ = nullptr;  // step numbers, or one of the CSV's columns
  QPlainTextEdit* editor_ = nullptr;
  QTimer editPause_;
  bool isSample_ = false;
};

}  // namespace lstmscope::app
