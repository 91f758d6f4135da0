// The Text dock: what the model reads. Text for a model of tokens; for a model of numeric features a CSV
// table (core/formats/feature_csv.h), whose steps are labelled by number or by one of its columns. Edits
// are reported once typing pauses. What is wrong with the input is shown here, inline: a message bar above
// the text and the offending characters marked in it.
#pragma once

#include <QList>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <utility>

class QComboBox;
class QFrame;
class QLabel;
class QPlainTextEdit;
class QPushButton;

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
  static QString sampleText();
  // Puts a UTF-8 text file's content in quietly. Returns what is wrong with the file, or "" (then taken).
  QString openFile(const QString& path);
  bool isSample() const { return isSample_; }  // the sample text, untouched
  // Audio as the input (docs/APP.md "Audio"): `description` shown in the editor until the user types or
  // another text comes in; audioPath() is then empty again.
  void showAudio(const QString& path, const QString& description);
  const QString& audioPath() const { return audioPath_; }
  // The file the text was opened from, as given (errors name it), until the user edits it; else empty.
  const QString& sourceFile() const { return sourceFile_; }
  // Placeholder, step-label choices and the reader's notes for the analysed input's kind.
  void showInputKind(const AnalysisResult& result);
  // The input does not suit the model: `message` in the bar, `marks` (start, length) marked in the text
  // (they follow later edits). `offerSample`: a button puts the sample text in instead.
  void showProblem(const QString& message, const QList<std::pair<qsizetype, qsizetype>>& marks, bool offerSample);
  void clearProblem();
  QFrame* problemBar() const { return problemBar_; }
  QLabel* problemMessage() const { return problemMessage_; }
  QPushButton* useSampleButton() const { return useSample_; }

  QPlainTextEdit* editor() const { return editor_; }
  QComboBox* stepLabelChoice() const { return stepLabels_; }

 signals:
  void editSettled();                      // the user edited the text and then paused
  void labelColumnChosen(QString column);  // empty: step numbers
  void notes(QString message);             // what the CSV reader decided on its own
  void sampleRequested();                  // the problem bar's "Use the sample text"

 private:
  QWidget* stepLabelRow_ = nullptr;  // shown for CSV input only
  QComboBox* stepLabels_ = nullptr;  // step numbers, or one of the CSV's columns
  QFrame* problemBar_ = nullptr;     // shown while the input does not suit the model
  QLabel* problemMessage_ = nullptr;
  QPushButton* useSample_ = nullptr;
  QPlainTextEdit* editor_ = nullptr;
  QTimer editPause_;
  bool isSample_ = false;
  QString audioPath_, sourceFile_;
};

}  // namespace lstmscope::app
