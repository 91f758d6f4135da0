#include "app/gui/status_area.h"

#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <algorithm>
#include <utility>

#include "app/gui/analysis_session.h"
#include "core/formats/foreign/import_report.h"
#include "core/formats/trace_file.h"

namespace lstmscope::app {

StatusArea::StatusArea(QStatusBar* bar, AnalysisSession* session) : QObject(bar), bar_(bar), session_(session) {
  hover_ = new QLabel(bar);
  model_ = new QLabel(bar);
  progress_ = new QProgressBar(bar);
  progress_->setMaximumWidth(220);
  progress_->setFormat(tr("analysing %p%"));
  cancel_ = new QPushButton(tr("Cancel"), bar);
  cancel_->setToolTip(tr("Stop the running analysis (Esc)"));
  bar->addWidget(hover_, 1);
  bar->addPermanentWidget(model_);
  bar->addPermanentWidget(progress_);
  bar->addPermanentWidget(cancel_);
  progress_->hide(), cancel_->hide();
  connect(bar_, &QStatusBar::messageChanged, this, [this](const QString& message) {
    if (message.isEmpty() && !pendingHint_.isEmpty())
      showMessage(std::exchange(pendingHint_, QString()), pendingHintMs_);
  });

  connect(bar, &QStatusBar::messageChanged, this, [this](const QString& text) {
    if (text.isEmpty()) bar_->setToolTip(QString());
  });
  connect(cancel_, &QPushButton::clicked, session, &AnalysisSession::cancel);
  connect(session, &AnalysisSession::busyChanged, this, [this](bool busy) {
    progress_->setVisible(busy), cancel_->setVisible(busy);
    progress_->setValue(0);
  });
  connect(session, &AnalysisSession::progress, this, [this](long done, long total) {
    progress_->setMaximum(1000);
    progress_->setValue(total > 0 ? static_cast<int>(1000.0 * done / total) : 0);
  });
  connect(session, &AnalysisSession::cancelled, this,
          [this] { showMessage(tr("Analysis cancelled; the views show the previous result."), 5000); });
}

void StatusArea::setHoverText(const QString& text) {
  hover_->setText(text);
}

void StatusArea::showMessage(const QString& message, int timeoutMs) {
  // The message gets the room left of the model label and progress bar, elided to it (whole in the tooltip),
  // so that a long one never runs under them.
  int room = bar_->width() - 24;
  for (QWidget* w : {static_cast<QWidget*>(model_), static_cast<QWidget*>(progress_), static_cast<QWidget*>(cancel_)})
    if (w->isVisible()) room -= w->sizeHint().width() + 8;
  const QString shown = bar_->fontMetrics().elidedText(message, Qt::ElideRight, std::max(room, 40));
  bar_->setToolTip(shown == message ? QString() : message);
  fullMessage_ = message, shownMessage_ = shown, messageTimeoutMs_ = timeoutMs;
  messageClock_.start();
  bar_->showMessage(shown, timeoutMs);
}

void StatusArea::refitMessage() {
  // Only a message of ours: another part of the window may have shown its own since.
  if (bar_->currentMessage().isEmpty() || bar_->currentMessage() != shownMessage_) return;
  if (messageTimeoutMs_ <= 0) return showMessage(fullMessage_, 0);
  const qint64 left = messageTimeoutMs_ - messageClock_.elapsed();
  if (left > 0) showMessage(fullMessage_, static_cast<int>(left));
}

void StatusArea::showHint(const QString& hint, int timeoutMs) {
  if (bar_->currentMessage().isEmpty()) return showMessage(hint, timeoutMs);
  pendingHint_ = hint, pendingHintMs_ = timeoutMs;
}

void StatusArea::withdraw(const QString& message) {
  if (message.isEmpty()) return;
  if (pendingHint_ == message) pendingHint_.clear();
  if (fullMessage_ == message && bar_->currentMessage() == shownMessage_) bar_->clearMessage();
}

void StatusArea::showAnalysed() {
  const AnalysisResult& result = *session_->result();
  showAnalysedLabel(result);
  refitMessage();
}

void StatusArea::showAnalysedLabel(const AnalysisResult& result) {
  if (result.trace)
    return model_->setText(tr("%1 · steps %L2–%L3 of %L4 read in %5 s")
                               .arg(session_->traceName())
                               .arg(result.window.first)
                               .arg(result.window.end() - 1)
                               .arg(result.trace->steps())
                               .arg(result.seconds, 0, 'f', 2));
  model_->setText(tr("%1 · %2 steps in %3 s")
                      .arg(session_->modelName())
                      .arg(result.recording->steps)
                      .arg(result.seconds, 0, 'f', 2));
}

void StatusArea::showImportReport(const ImportReport& report, const QString& modelName) {
  model_->setToolTip(QString::fromStdString(describeImport(report)));
  if (report.format == "LSTMScope model" || report.assumptions.empty()) return;
  // Spelled out: without a translation loaded, tr()'s %n plural shows "thing(s)" as written. Multi-argument
  // arg() substitutes in one pass, so a '%' in an assumption stays as it is.
  const QString first = QString::fromStdString(report.assumptions.front());
  const auto count = static_cast<int>(report.assumptions.size());
  const QString what = count == 1 ? tr("1 thing assumed: “%1”").arg(first)
                                  : tr("%1 things assumed, such as “%2”").arg(QString::number(count), first);
  showMessage(tr("%1 (%2): %3. Hover over the model name for the list; File › Import Settings… corrects %4.")
                  .arg(modelName, QString::fromStdString(report.format), what, count == 1 ? tr("it") : tr("them")),
              15000);
}

}  // namespace lstmscope::app
