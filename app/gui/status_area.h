// The status bar's permanent parts: what is under the pointer, the model and how long its analysis took
// (with the import report as its tooltip), and the running analysis's progress bar and Cancel button.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class QLabel;
class QProgressBar;
class QPushButton;
class QStatusBar;

namespace lstmscope {
struct ImportReport;
}

namespace lstmscope::app {

class AnalysisSession;
struct AnalysisResult;

class StatusArea : public QObject {
  Q_OBJECT
 public:
  // Puts its widgets into `bar`; follows the session's progress, and cancels it on request.
  StatusArea(QStatusBar* bar, AnalysisSession* session);

  void setHoverText(const QString& text);
  void showMessage(const QString& message, int timeoutMs);  // elided to its room; whole in the tooltip
  // A hint gives way to a message being shown (such as what an import assumed): it follows it.
  void showHint(const QString& hint, int timeoutMs);
  void withdraw(const QString& message);  // `message`, if it is still shown or waiting, goes: it no longer holds
  void showAnalysed();                    // model name, steps and time of the session's latest analysis
  // The model label's tooltip lists what was read and assumed; assumptions are announced once per load.
  void showImportReport(const ImportReport& report, const QString& modelName);

 private:
  // Elides the message being shown again to the room left now (the model label grows once an analysis is
  // shown), keeping what is left of its timeout.
  void refitMessage();
  void showAnalysedLabel(const AnalysisResult& result);

  QStatusBar* bar_;
  AnalysisSession* session_;
  QLabel* hover_ = nullptr;
  QLabel* model_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QString pendingHint_;
  int pendingHintMs_ = 0;
  QString fullMessage_, shownMessage_;  // the message being shown, before and after eliding
  int messageTimeoutMs_ = 0;
  QElapsedTimer messageClock_;
};

}  // namespace lstmscope::app
