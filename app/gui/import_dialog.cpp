#include "app/gui/import_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QTextDocument>
#include <QTextOption>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <filesystem>

#include "app/gui/model_opening.h"
#include "core/common/error.h"
#include "core/formats/model_loader.h"

namespace lstmscope::app {

namespace {

// "Automatic" is item 0 of every choice box; the others carry the value the core parses.
QComboBox* choiceBox(QWidget* parent, const QStringList& values) {
  auto* box = new QComboBox(parent);
  box->addItem(QObject::tr("automatic"), QString());
  for (const QString& v : values) box->addItem(v, v);
  return box;
}

std::string chosen(const QComboBox* box) {
  return box->currentData().toString().toStdString();
}

}  // namespace

ImportDialog::ImportDialog(QString modelPath, QString vocabPath, QWidget* parent)
    : QDialog(parent), modelPath_(std::move(modelPath)) {
  setWindowTitle(tr("Import %1").arg(QFileInfo(modelPath_).fileName()));
  buildForm();
  vocab_->setText(vocabPath);
  // Start from what was remembered, so the dialog shows the current state: the app's settings first, then a
  // sidecar beside the model (written by the command line's --remember).
  if (const std::optional<SavedImport> remembered = rememberedImport(modelPath_)) {
    wasRemembered_ = true;
    remember_->setChecked(true);
    startFrom(*remembered, !vocabPath.isEmpty());
  } else if (std::error_code ec; std::filesystem::exists(sidecarPath(modelPath_.toStdString()), ec)) {
    try {
      startFrom(readSidecar(sidecarPath(modelPath_.toStdString())), !vocabPath.isEmpty());
    } catch (const InputError&) {
      // A damaged sidecar: the read below reports it.
    }
  }
  reread();
}

void ImportDialog::startFrom(const SavedImport& saved, bool vocabGiven) {
  if (!vocabGiven) vocab_->setText(QString::fromStdString(saved.vocabPath));
  const auto select = [](QComboBox* box, const std::string& value) {
    const int k = box->findData(QString::fromStdString(value));
    if (k >= 0) box->setCurrentIndex(k);
  };
  const ImportChoices& c = saved.choices;
  if (c.task) select(task_, toString(*c.task));
  if (c.headReads) select(reads_, *c.headReads == HeadReads::EachStep ? "each_step" : "final_states");
  if (c.headActivation) select(activation_, toString(*c.headActivation));
  if (c.vocabulary.level) select(level_, *c.vocabulary.level == TokenLevel::Char ? "char" : "word");
  if (c.vocabulary.lowercase) select(lowercase_, *c.vocabulary.lowercase ? "yes" : "no");
  if (c.vocabulary.unk) unk_->setText(QString::fromStdString(*c.vocabulary.unk));
  if (c.part) select(part_, *c.part);
  if (c.vocabularyTokens) {
    const QSignalBlocker quiet(tokens_);  // the read follows anyway
    tokens_->setPlainText(QString::fromStdString(typedTokensText(*c.vocabularyTokens)));
    showTokenCount();
  }
}

void ImportDialog::buildForm() {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;  // what was read (left) beside the choices that change it (right)
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  summary_->setMinimumWidth(360);
  top->addWidget(summary_, 1);
  layout->addLayout(top);

  auto* form = new QFormLayout;
  auto* vocabRow = new QHBoxLayout;
  vocab_ = new QLineEdit(this);
  vocab_->setPlaceholderText(tr("none: token k is shown as the number k"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  vocabRow->addWidget(vocab_), vocabRow->addWidget(browse);
  form->addRow(tr("Vocabulary file"), vocabRow);
  tokens_ = new QPlainTextEdit(this);
  tokens_->setTabChangesFocus(true);
  QTextOption visibleSpaces = tokens_->document()->defaultTextOption();  // a space is a token too
  visibleSpaces.setFlags(visibleSpaces.flags() | QTextOption::ShowTabsAndSpaces);
  tokens_->document()->setDefaultTextOption(visibleSpaces);
  tokens_->setPlaceholderText(
      tr("or type or paste the tokens in id order: one line = each character is a token "
         "(a character model); several lines = one token per line. \\n, \\t, \\\\ stand for newline, tab, "
         "backslash."));
  tokens_->setMaximumHeight(fontMetrics().height() * 4 + 12);
  tokenCount_ = new QLabel(this);
  auto* tokensColumn = new QVBoxLayout;
  tokensColumn->addWidget(tokens_), tokensColumn->addWidget(tokenCount_);
  form->addRow(tr("Typed tokens"), tokensColumn);
  typingPause_ = new QTimer(this);
  typingPause_->setSingleShot(true);
  typingPause_->setInterval(400);
  level_ = choiceBox(this, {QStringLiteral("char"), QStringLiteral("word")});
  lowercase_ = choiceBox(this, {QStringLiteral("yes"), QStringLiteral("no")});
  unk_ = new QLineEdit(this);
  unk_->setPlaceholderText(tr("automatic"));
  task_ = choiceBox(this, {QStringLiteral("language_model"), QStringLiteral("classifier"), QStringLiteral("tagger"),
                           QStringLiteral("regression")});
  reads_ = choiceBox(this, {QStringLiteral("each_step"), QStringLiteral("final_states")});
  activation_ = choiceBox(this, {QStringLiteral("softmax"), QStringLiteral("sigmoid"), QStringLiteral("linear")});
  embedding_ = choiceBox(this, {QStringLiteral("none")});
  // A Keras encoder–decoder opens as its decoder; the encoder, on the input's own steps, is the other choice.
  part_ = choiceBox(this, {QStringLiteral("decoder"), QStringLiteral("encoder")});
  form->addRow(tr("Tokens"), level_);
  form->addRow(tr("Lowercase the text"), lowercase_);
  form->addRow(tr("UNK token"), unk_);
  form->addRow(tr("Task"), task_);
  form->addRow(tr("Head reads"), reads_);
  form->addRow(tr("Head activation"), activation_);
  form->addRow(tr("Embedding tensor"), embedding_);
  form->addRow(tr("Encoder–decoder part"), part_);
  top->addLayout(form, 1);

  tensors_ = new QTableWidget(0, 3, this);
  tensors_->setHorizontalHeaderLabels({tr("Tensor"), tr("Shape"), tr("Role")});
  tensors_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  tensors_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  tensors_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
  tensors_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  tensors_->setMinimumHeight(220);
  tensors_->verticalHeader()->hide();
  tensors_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  layout->addWidget(tensors_, 1);
  assumptions_ = new QLabel(this);
  assumptions_->setWordWrap(true);
  assumptions_->setTextFormat(Qt::RichText);
  layout->addWidget(assumptions_);
  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #b00020;"));
  layout->addWidget(error_);

  remember_ = new QCheckBox(tr("Remember these choices for this model file (in LSTMScope's settings)"), this);
  remember_->setToolTip(
      tr("The next open of this file (same path, size and date) applies them without asking. "
         "Nothing is written next to the model."));
  layout->addWidget(remember_);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, &ImportDialog::acceptAndRemember);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Vocabulary"), QFileInfo(modelPath_).path(),
                                                      tr("Vocabularies (*.json *.txt);;All files (*)"));
    if (!path.isEmpty()) vocab_->setText(path);
  });
  // A line edit finishes editing whenever it loses focus; only a changed text is worth a read (a read
  // disables Open until it is done).
  for (QLineEdit* edit : {vocab_, unk_})
    connect(edit, &QLineEdit::editingFinished, this, [this] {
      if (vocab_->text() != readVocab_ || unk_->text() != readUnk_) reread();
    });
  connect(tokens_, &QPlainTextEdit::textChanged, this, [this] {
    showTokenCount();
    typingPause_->start();
  });
  connect(typingPause_, &QTimer::timeout, this, &ImportDialog::reread);
  for (QComboBox* box : {level_, lowercase_, task_, reads_, activation_, embedding_, part_})
    connect(box, &QComboBox::activated, this, &ImportDialog::reread);
  resize(980, 720);
}

// A line edit that has the focus finishes editing while QWidget's destructor deletes it, after this class's
// part is gone: its handler must not run then.
ImportDialog::~ImportDialog() {
  for (QLineEdit* edit : {vocab_, unk_}) disconnect(edit, nullptr, this, nullptr);
}

QString ImportDialog::vocabPath() const {
  return vocab_->text();
}

bool ImportDialog::remember() const {
  return remember_->isChecked();
}

ImportChoices ImportDialog::choices() const {
  ImportChoices c;
  if (Task t{}; parse(chosen(task_), t)) c.task = t;
  if (HeadActivation a{}; parse(chosen(activation_), a)) c.headActivation = a;
  if (!chosen(reads_).empty())
    c.headReads = chosen(reads_) == "each_step" ? HeadReads::EachStep : HeadReads::FinalStates;
  if (!chosen(embedding_).empty()) c.embedding = chosen(embedding_) == "none" ? std::string() : chosen(embedding_);
  if (!chosen(level_).empty()) c.vocabulary.level = chosen(level_) == "char" ? TokenLevel::Char : TokenLevel::Word;
  if (!chosen(lowercase_).empty()) c.vocabulary.lowercase = chosen(lowercase_) == "yes";
  if (!unk_->text().isEmpty()) c.vocabulary.unk = unk_->text().toStdString();
  if (!chosen(part_).empty()) c.part = chosen(part_);
  if (std::vector<std::string> typed = parseTypedTokens(tokens_->toPlainText().toStdString()); !typed.empty())
    c.vocabularyTokens = std::move(typed);
  return c;
}

void ImportDialog::showTokenCount() {
  const size_t count = parseTypedTokens(tokens_->toPlainText().toStdString()).size();
  tokenCount_->setText(count == 0   ? QString()
                       : count == 1 ? tr("1 token (used instead of any vocabulary file)")
                                    : tr("%1 tokens (used instead of any vocabulary file)").arg(count));
}

void ImportDialog::reread() {
  const int generation = ++generation_;
  typingPause_->stop();
  reading_ = true;
  readVocab_ = vocab_->text(), readUnk_ = unk_->text();
  buttons_->button(QDialogButtonBox::Open)->setEnabled(false);
  error_->setText(tr("Reading %1…").arg(QFileInfo(modelPath_).fileName()));
  // The dialog started from the sidecar's choices; what it shows now replaces them ("automatic" included).
  const std::string path = modelPath_.toStdString(), vocab = vocab_->text().toStdString();
  const ImportChoices c = choices();
  auto* watcher = new QFutureWatcher<std::pair<std::shared_ptr<const ImportedModel>, QString>>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    if (generation != generation_) return;  // a newer read is under way
    const auto [imported, error] = watcher->result();
    showRead(imported, error);
  });
  watcher->setFuture(QtConcurrent::run([path, vocab, c]() -> std::pair<std::shared_ptr<const ImportedModel>, QString> {
    try {
      return {std::make_shared<const ImportedModel>(importModel(path, vocab, c, false)), QString()};
    } catch (const std::exception& e) {
      return {nullptr, QString::fromUtf8(e.what())};
    }
  }));
}

void ImportDialog::showRead(std::shared_ptr<const ImportedModel> imported, const QString& error) {
  reading_ = false;
  imported_ = std::move(imported);
  error_->setText(error);
  buttons_->button(QDialogButtonBox::Open)->setEnabled(imported_ != nullptr);
  if (imported_) {
    const ImportReport& r = imported_->report;
    summary_->setText(
        QStringLiteral("<b>%1</b> — %2<br><pre>%3</pre>")
            .arg(QFileInfo(modelPath_).fileName().toHtmlEscaped(), QString::fromStdString(r.format).toHtmlEscaped(),
                 QString::fromStdString(describeModel(imported_->model, false)).toHtmlEscaped().trimmed()));
    tensors_->setRowCount(static_cast<int>(r.tensors.size()));
    const QString current = embedding_->currentData().toString();
    while (embedding_->count() > 2) embedding_->removeItem(2);
    for (int k = 0; k < static_cast<int>(r.tensors.size()); ++k) {
      const TensorUse& t = r.tensors[static_cast<size_t>(k)];
      tensors_->setItem(k, 0, new QTableWidgetItem(QString::fromStdString(t.name)));
      tensors_->setItem(k, 1, new QTableWidgetItem(QString::fromStdString(t.shape)));
      auto* role = new QTableWidgetItem(t.role.empty() ? tr("not used") : QString::fromStdString(t.role));
      if (t.role.empty()) role->setForeground(QColor(0xb0, 0x60, 0x00));
      tensors_->setItem(k, 2, role);
      if (t.shape.find(',') != std::string::npos && t.shape.find(",)") == std::string::npos)
        embedding_->addItem(QString::fromStdString(t.name), QString::fromStdString(t.name));
    }
    embedding_->setCurrentIndex(std::max(0, embedding_->findData(current)));
    QString list;
    for (const auto& a : r.assumptions)
      if (a != r.cutOff) list += QStringLiteral("<li>%1</li>").arg(QString::fromStdString(a).toHtmlEscaped());
    // Only part of the model opened: said above everything else, in the warning colour.
    const QString cut = r.cutOff.empty() ? QString()
                                         : tr("<p style=\"color:#b00000\"><b>Opened in part:</b> %1</p>")
                                               .arg(QString::fromStdString(r.cutOff).toHtmlEscaped());
    assumptions_->setText(
        cut + (list.isEmpty()
                   ? (cut.isEmpty() ? tr("Nothing had to be assumed.") : tr("Nothing else had to be assumed."))
                   : tr("<b>Assumed</b> (change the choices above if wrong):<ul>%1</ul>").arg(list)));
  }
  emit readFinished();
}

void ImportDialog::acceptAndRemember() {
  if (typingPause_->isActive()) return reread();  // typed tokens not read yet: Open comes back after the read
  if (!imported_ || reading_) return;             // Open stands for the model shown, not one being read
  if (remember())
    rememberImport(modelPath_, {choices(), vocabPath().toStdString()});
  else if (wasRemembered_)
    forgetImport(modelPath_);
  accept();
}

}  // namespace lstmscope::app
