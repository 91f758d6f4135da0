#include "app/gui/input_pane.h"

#include <QComboBox>
#include <QFile>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTextBlock>
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
  problemBar_ = new QFrame(this);
  problemBar_->setObjectName(QStringLiteral("problemBar"));
  problemBar_->setStyleSheet(
      QStringLiteral("#problemBar { background: #fff4ce; border: 1px solid #e0b400; border-radius: 3px; }"));
  auto* bar = new QHBoxLayout(problemBar_);
  bar->setContentsMargins(6, 4, 6, 4);
  problemMessage_ = new QLabel(problemBar_);
  problemMessage_->setWordWrap(true);
  problemMessage_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  bar->addWidget(problemMessage_, 1);
  useSample_ = new QPushButton(tr("Use the sample text"), problemBar_);
  useSample_->setToolTip(tr("Replace the text by the sample text, which this model can read"));
  bar->addWidget(useSample_, 0, Qt::AlignTop);
  problemBar_->hide();
  layout->addWidget(problemBar_);
  connect(useSample_, &QPushButton::clicked, this, &InputPane::sampleRequested);
  editor_ = new QPlainTextEdit(this);
  editor_->setTabChangesFocus(true);  // Tab moves on through the window, as everywhere else; paste to get a tab
  editor_->setPlaceholderText(tr("Type or paste text here; it is analysed after a short pause."));
  editor_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  layout->addWidget(editor_);

  editPause_.setSingleShot(true);
  editPause_.setInterval(kEditPauseMs);
  connect(&editPause_, &QTimer::timeout, this, &InputPane::editSettled);
  connect(editor_, &QPlainTextEdit::textChanged, &editPause_, qOverload<>(&QTimer::start));
  connect(editor_, &QPlainTextEdit::textChanged, this, [this] {
    isSample_ = false;
    audioPath_.clear();  // the user typed over the audio's description: the text is the input now
    sourceFile_.clear();
  });
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
  audioPath_.clear();
  sourceFile_.clear();
  editPause_.stop();
  const QSignalBlocker blocker(editor_);
  editor_->setPlainText(text);
  isSample_ = false;
  clearProblem();  // it was about the text this one replaces
}

void InputPane::showAudio(const QString& path, const QString& description) {
  setTextQuietly(description);
  audioPath_ = path;
}

QString InputPane::sampleText() {
  QFile sample(QStringLiteral(":/demo/sample.py"));
  sample.open(QIODevice::ReadOnly);
  return QString::fromUtf8(sample.readAll());
}

void InputPane::showSampleText() {
  setTextQuietly(sampleText());
  isSample_ = true;
}

void InputPane::showProblem(const QString& message, const QList<std::pair<qsizetype, qsizetype>>& marks,
                            bool offerSample) {
  problemMessage_->setText(
      marks.size() > 1 ? tr("%1 (%n place(s) marked in the text)", nullptr, marks.size()).arg(message) : message);
  useSample_->setVisible(offerSample);
  problemBar_->show();
  // Cursors follow the document's edits, so the marks stay on their characters while the user fixes the text.
  QList<QTextEdit::ExtraSelection> selections;
  QTextCharFormat format;
  format.setBackground(QColor(0xff, 0xc8, 0xc8));
  format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
  format.setUnderlineColor(Qt::red);
  const int length = editor_->document()->characterCount() - 1;
  for (const auto& [start, count] : marks) {
    if (start < 0 || start + count > length) continue;
    QTextCursor cursor(editor_->document());
    cursor.setPosition(static_cast<int>(start));
    cursor.setPosition(static_cast<int>(start + count), QTextCursor::KeepAnchor);
    selections.append({cursor, format});
  }
  editor_->setExtraSelections(selections);
  // The bar takes room from the editor: once laid out, keep the typing cursor in view, or when the user is not
  // typing (a model was opened) bring the first mark into view.
  const bool typing = editor_->hasFocus();
  QTimer::singleShot(0, editor_, [editor = editor_, typing, selections] {
    if (!typing && !selections.isEmpty()) {
      QTextCursor first = selections.front().cursor;
      first.setPosition(first.selectionStart());
      editor->setTextCursor(first);
    }
    editor->ensureCursorVisible();
  });
}

void InputPane::clearProblem() {
  problemBar_->hide();
  editor_->setExtraSelections({});
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
  if (bytes.isEmpty()) return tr("%1: the file is empty: there is nothing to analyse").arg(path);
  QString text = QString::fromUtf8(bytes);
  if (text.toUtf8() != bytes && !(bytes.startsWith("\xEF\xBB\xBF")))
    return tr("%1: the file is not valid UTF-8 text").arg(path);
  setTextQuietly(text);
  sourceFile_ = path;
  return {};
}

void InputPane::showInputKind(const AnalysisResult& result) {
  const Architecture& arch = result.recording->arch;  // a trace window may have no model
  const bool table = !arch.readsText();
  editor_->setPlaceholderText(
      table ? tr("This model reads %1 numeric feature(s) per step: paste or open a CSV table, one row per step and "
                 "one column per feature (header optional; a date column labels the steps). It is analysed after a "
                 "short pause.")
                  .arg(arch.rawFeatureDim())
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
