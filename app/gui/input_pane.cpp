#include "app/gui/input_pane.h"

#include <QComboBox>
#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "app/gui/analysis_runner.h"

namespace lstmscope::app {
namespace {

constexpr int kEditPauseMs = 600;
constexpr qint64 kMaxTextBytes = 64 << 20;

}  // namespace

InputPane::InputPane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  stepLabelRow_ = new QWidget(this);
  auto* row = new QHBoxLayout(stepLabelRow_);
  row->setContentsMargins(4, 2, 4, 0);
  row->addWidget(new QLabel(tr("Label steps by"), stepLabelRow_));
  stepLabels_ = new QComboBox(stepLabelRow_);
  stepLabels_->addItem(tr("step number"));
  stepLabels_->setToolTip(
      tr("What the heatmap's axis and the other views show for each row of the table: its "
         "number, or its value in one column (a date column, say)"));
  row->addWidget(stepLabels_, 1);
  stepLabelRow_->hide();  // until a model of numeric features is analysed
  layout->addWidget(stepLabelRow_);
  editor_ = new QPlainTextEdit(this);
  editor_->setPlaceholderText(tr("Type or paste text here; it is analysed after a short pause."));
  editor_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  layout->addWidget(editor_);

  editPause_.setSingleShot(true);
  editPause_.setInterval(kEditPauseMs);
  connect(&editPause_, &QTimer::timeout, this, &InputPane::editSettled);
  connect(editor_, &QPlainTextEdit::textChanged, &editPause_, qOverload<>(&QTimer::start));
  connect(editor_, &QPlainTextEdit::textChanged, this, [this] { isSample_ = false; });
  // Relabelling re-runs the analysis: the labels travel with the recording into every view.
  connect(stepLabels_, &QComboBox::activated, this,
          [this](int index) { emit labelColumnChosen(index > 0 ? stepLabels_->itemText(index) : QString()); });
}

QString InputPane::text() const {
  return editor_->toPlainText();
}

void InputPane::setText(const QString& text) {
  editor_->setPlainText(text);
}

void InputPane::setTextQuietly(const QString& text) {
  editPause_.stop();
  const QSignalBlocker blocker(editor_);
  editor_->setPlainText(text);
  isSample_ = false;
}

void InputPane::showSampleText() {
  QFile sample(QStringLiteral(":/demo/sample.py"));
  sample.open(QIODevice::ReadOnly);
  setTextQuietly(QString::fromUtf8(sample.readAll()));
  isSample_ = true;
}

QString InputPane::openFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return tr("%1: cannot open: %2").arg(path, file.errorString());
  if (file.size() > kMaxTextBytes)
    return tr("%1: the text is %2 MB; the app analyses up to %3 MB (lstmscope-cli record takes longer texts)")
        .arg(path)
        .arg(file.size() >> 20)
        .arg(kMaxTextBytes >> 20);
  const QByteArray bytes = file.readAll();
  QString text = QString::fromUtf8(bytes);
  if (text.toUtf8() != bytes && !(bytes.startsWith("\xEF\xBB\xBF")))
    return tr("%1: the file is not valid UTF-8 text").arg(path);
  setTextQuietly(text);
  return {};
}

void InputPane::showInputKind(const AnalysisResult& result) {
  const Architecture& arch = result.model->arch;
  const bool table = arch.inputKind == InputKind::Features;
  editor_->setPlaceholderText(
      table ? tr("This model reads %1 numeric feature(s) per step: paste or open a CSV table, one row per step and "
                 "one column per feature (header optional; a date column labels the steps). It is analysed after a "
                 "short pause.")
                  .arg(arch.featureDim)
            : tr("Type or paste text here; it is analysed after a short pause."));
  stepLabelRow_->setVisible(table);
  const QSignalBlocker blocker(stepLabels_);
  stepLabels_->clear();
  stepLabels_->addItem(tr("step number"));
  stepLabels_->addItems(result.labelChoices);
  stepLabels_->setCurrentIndex(result.labelColumn.isEmpty() ? 0
                                                            : std::max(0, stepLabels_->findText(result.labelColumn)));
  if (!result.inputNotes.isEmpty()) emit notes(result.inputNotes.join(QStringLiteral("; ")));
}

}  // namespace lstmscope::app
