// The import dialog on real PyTorch files: it lists each tensor's role and the assumptions, re-reads the
// model when a choice changes, refuses to open with choices that do not fit, and remembers them.
#include "app/gui/import_dialog.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStyle>
#include <QStyleOptionButton>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <filesystem>
#include <functional>

#include "app/gui/main_window.h"
#include "app/gui/model_opening.h"
#include "core/formats/foreign/import_choices_file.h"
#include "tests/app/test_window.h"
#include "viz/predictions_view.h"

namespace lstmscope::app {
namespace {

namespace fs = std::filesystem;

std::string torchFixture(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/torch/" + name;
}

void waitForRead(ImportDialog& dialog, QSignalSpy& spy) {
  ASSERT_TRUE(spy.count() > 0 || spy.wait(30000)) << "the dialog never finished reading";
  spy.clear();
  (void)dialog;
}

// Shows the dialog and waits for its first read of the model, which must open.
void showAndRead(ImportDialog& dialog, QSignalSpy& read) {
  dialog.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&dialog));
  waitForRead(dialog, read);
  ASSERT_TRUE(dialog.imported());
}

QString kerasFixturePath(const char* name) {
  return QString::fromStdString(std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/" + name);
}

// A real click on the check box's indicator (the middle of a stretched check box is not on it).
void clickCheckBox(QCheckBox* box) {
  QStyleOptionButton option;
  option.initFrom(box);
  QTest::mouseClick(box, Qt::LeftButton, {},
                    box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box).center());
}

QString labelTextContaining(QWidget& parent, const QString& part) {
  for (auto* label : parent.findChildren<QLabel*>())
    if (label->text().contains(part)) return label->text();
  return {};
}

// Watches for dialogs the window shows (the window then blocks in their exec()): records each one's title
// and hands it to `act`, which must close it.
class DialogWatcher {
 public:
  explicit DialogWatcher(std::function<void(QDialog&)> act) : act_(std::move(act)) {
    timer_.setInterval(20);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      for (QWidget* w : QApplication::topLevelWidgets()) {
        auto* dialog = qobject_cast<QDialog*>(w);
        if (!dialog || !dialog->isVisible()) continue;
        timer_.stop();  // `act` may wait in nested event loops
        seen.push_back(dialog->windowTitle());
        act_(*dialog);
        if (dialog->isVisible()) dialog->reject();  // never leave the window blocked
        timer_.start();
        return;
      }
    });
    timer_.start();
  }
  QStringList seen;

 private:
  std::function<void(QDialog&)> act_;
  QTimer timer_;
};

void saveScreenshot(QWidget& widget, const QString& name) {
  QApplication::sendPostedEvents();  // pending layout requests, so that the grab shows every line
  if (const char* shots = std::getenv("LSTMSCOPE_SCREENSHOT_DIR"))
    widget.grab().save(QString::fromUtf8(shots) + QLatin1Char('/') + name);
}

void choose(QComboBox* box, const QString& value) {
  box->setCurrentIndex(box->findData(value));
  emit box->activated(box->currentIndex());
}

TEST(ImportDialog, ShowsRolesAndAssumptionsAndRemembersChoices) {
  const fs::path dir = fs::path(::testing::TempDir()) / "import_dialog";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string model = (dir / "classifier.pt").string();
  fs::copy_file(torchFixture("bi_classifier.pt"), model);

  ImportDialog dialog(QString::fromStdString(model),
                      QString::fromStdString(torchFixture("bi_classifier.vocab_map.json")));
  QSignalSpy read(&dialog, &ImportDialog::readFinished);
  dialog.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&dialog));
  waitForRead(dialog, read);
  ASSERT_TRUE(dialog.imported());
  EXPECT_EQ(dialog.imported()->model.arch.task, Task::Classifier);
  auto* table = dialog.findChild<QTableWidget*>();
  ASSERT_TRUE(table);
  EXPECT_EQ(table->rowCount(), 21);  // embedding, 16 LSTM tensors, two linear layers
  bool sawRole = false;
  for (int r = 0; r < table->rowCount(); ++r)
    sawRole |= table->item(r, 0)->text() == QStringLiteral("rnn.weight_ih_l1_reverse") &&
               table->item(r, 2)->text() == QStringLiteral("lstm 1 bwd W_ih");
  EXPECT_TRUE(sawRole);
  bool sawAssumption = false;
  for (auto* label : dialog.findChildren<QLabel*>())
    sawAssumption |= label->text().contains(QStringLiteral("final states"));
  EXPECT_TRUE(sawAssumption);

  // Changing the task re-reads the model with it.
  QComboBox* task = nullptr;
  for (auto* box : dialog.findChildren<QComboBox*>())
    if (box->findData(QStringLiteral("tagger")) >= 0) task = box;
  ASSERT_TRUE(task);
  choose(task, QStringLiteral("tagger"));
  waitForRead(dialog, read);
  ASSERT_TRUE(dialog.imported());
  EXPECT_EQ(dialog.imported()->model.arch.task, Task::Tagger);

  // Saving the screenshot lets a developer look at the dialog (LSTMSCOPE_SCREENSHOT_DIR).
  if (const char* shots = std::getenv("LSTMSCOPE_SCREENSHOT_DIR"))
    dialog.grab().save(QString::fromUtf8(shots) + QStringLiteral("/import_dialog.png"));

  // A vocabulary of the wrong size: the error is shown and Open is disabled.
  auto* vocab = dialog.findChild<QLineEdit*>();
  ASSERT_TRUE(vocab);
  const QString goodVocab = vocab->text();
  vocab->setText(QString::fromStdString(torchFixture("hostile/wrong_size.vocab.json")));
  emit vocab->editingFinished();
  waitForRead(dialog, read);
  EXPECT_FALSE(dialog.imported());
  auto* buttons = dialog.findChild<QDialogButtonBox*>();
  EXPECT_FALSE(buttons->button(QDialogButtonBox::Open)->isEnabled());
  bool sawError = false;
  for (auto* label : dialog.findChildren<QLabel*>())
    sawError |= label->text().contains(QStringLiteral("has 10 tokens"));
  EXPECT_TRUE(sawError);

  vocab->setText(goodVocab);
  emit vocab->editingFinished();
  waitForRead(dialog, read);
  ASSERT_TRUE(buttons->button(QDialogButtonBox::Open)->isEnabled());
  // Remembering is the user's decision, and it goes to the app's settings, not beside the model.
  auto* remember = dialog.findChild<QCheckBox*>();
  ASSERT_TRUE(remember);
  EXPECT_FALSE(remember->isChecked());
  clickCheckBox(remember);
  EXPECT_TRUE(remember->isChecked());
  QTest::mouseClick(buttons->button(QDialogButtonBox::Open), Qt::LeftButton);
  EXPECT_EQ(dialog.result(), QDialog::Accepted);
  const std::optional<SavedImport> saved = rememberedImport(QString::fromStdString(model));
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->choices.task, Task::Tagger);
  EXPECT_EQ(saved->vocabPath, torchFixture("bi_classifier.vocab_map.json"));
  EXPECT_FALSE(fs::exists(sidecarPath(model)));

  // Reopening starts from the remembered choices.
  ImportDialog again(QString::fromStdString(model), QString());
  QSignalSpy readAgain(&again, &ImportDialog::readFinished);
  waitForRead(again, readAgain);
  ASSERT_TRUE(again.imported());
  EXPECT_EQ(again.imported()->model.arch.task, Task::Tagger);
  EXPECT_EQ(again.imported()->model.arch.vocab.unk(), "<unk>");
  forgetImport(QString::fromStdString(model));
}

// A char-rnn brought without its vocabulary (27 one-hot inputs, 27 outputs): the dialog shows it as a
// language model, the user types its 27 characters, ticks Remember (off until then) and opens it. Nothing is
// written beside the model, and opening the same file again applies the choices without asking.
// A Keras model whose head is beyond support (a Lambda layer): the dialog opens its LSTM stack alone and
// says so above the assumptions, in the warning colour; the status bar's tooltip says it first.
TEST(ImportDialog, ModelOpenedInPartSaysWhatWasCutOff) {
  ImportDialog dialog(kerasFixturePath("hostile/lambda.h5"), {});
  QSignalSpy read(&dialog, &ImportDialog::readFinished);
  ASSERT_NO_FATAL_FAILURE(showAndRead(dialog, read));
  EXPECT_FALSE(dialog.imported()->model.arch.head.has_value());
  const QString text = labelTextContaining(dialog, QStringLiteral("Opened in part"));
  ASSERT_FALSE(text.isEmpty());
  EXPECT_TRUE(text.contains(QStringLiteral("color:#b00000"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("layer lambda_1 is a Lambda layer"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("cut off the head after the last LSTM"))) << text.toStdString();
  EXPECT_EQ(text.count(QStringLiteral("lambda_1 is a Lambda")), 1) << "said once, not again among the assumptions";
  auto* open = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Open);
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->isEnabled());  // the stack alone can be opened
  saveScreenshot(dialog, QStringLiteral("import_dialog_in_part.png"));
}

// A Keras encoder–decoder opens as its decoder (the encoder in its front end); the dialog's part choice opens
// the encoder alone, on the input's own steps, and says what was cut off.
TEST(ImportDialog, AnEncoderDecoderOpensAsEitherPart) {
  ImportDialog dialog(kerasFixturePath("seq2seq_forecaster.h5"), {});
  QSignalSpy read(&dialog, &ImportDialog::readFinished);
  ASSERT_NO_FATAL_FAILURE(showAndRead(dialog, read));
  EXPECT_TRUE(repeatsAState(dialog.imported()->model.arch.frontEnd));
  EXPECT_TRUE(labelTextContaining(dialog, QStringLiteral("Opened in part")).isEmpty());
  QComboBox* part = nullptr;
  for (auto* box : dialog.findChildren<QComboBox*>())
    if (box->findData(QStringLiteral("encoder")) >= 0) part = box;
  ASSERT_TRUE(part);
  choose(part, QStringLiteral("encoder"));
  waitForRead(dialog, read);
  ASSERT_TRUE(dialog.imported());
  EXPECT_TRUE(dialog.imported()->model.arch.frontEnd.empty());
  EXPECT_EQ(dialog.choices().part, std::optional<std::string>("encoder"));
  const QString text = labelTextContaining(dialog, QStringLiteral("Opened in part"));
  EXPECT_TRUE(text.contains(QStringLiteral("the encoder alone (part: encoder)"))) << text.toStdString();
  saveScreenshot(dialog, QStringLiteral("import_dialog_encoder.png"));
}

TEST(ImportDialogInWindow, CharModelTypedTokensAndRememberedChoices) {
  QSettings().remove(QStringLiteral("importChoices"));
  const fs::path dir = fs::path(::testing::TempDir()) / "import_dialog_char27";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const QString model = QString::fromStdString((dir / "char27.pt").string());
  fs::copy_file(torchFixture("char27_onehot.pt"), model.toStdString());
  const QString alphabet = QStringLiteral("abcdefghijklmnopqrstuvwxyz ");

  MainWindow window;
  test::prepareForTest(window);
  window.setInteractive(true);  // the way users open models: dialogs are shown
  window.setText(QStringLiteral("hello world"));
  DialogWatcher watcher([&](QDialog& shown) {
    auto* dialog = qobject_cast<ImportDialog*>(&shown);
    ASSERT_TRUE(dialog) << shown.windowTitle().toStdString();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(dialog));
    const QString summary = labelTextContaining(*dialog, QStringLiteral("task:"));
    EXPECT_TRUE(summary.contains(QStringLiteral("task: language_model"))) << summary.toStdString();
    EXPECT_TRUE(summary.contains(QStringLiteral("one-hot"))) << summary.toStdString();
    EXPECT_TRUE(summary.contains(QStringLiteral("reads each step"))) << summary.toStdString();
    EXPECT_FALSE(summary.contains(QStringLiteral("numeric features"))) << summary.toStdString();
    EXPECT_FALSE(labelTextContaining(*dialog, QStringLiteral("taken as a one-hot language model")).isEmpty());
    auto* remember = dialog->findChild<QCheckBox*>();
    ASSERT_TRUE(remember);
    EXPECT_FALSE(remember->isChecked());
    saveScreenshot(*dialog, QStringLiteral("import_dialog_char_model.png"));

    auto* tokens = dialog->findChild<QPlainTextEdit*>();
    ASSERT_TRUE(tokens);
    QSignalSpy read(dialog, &ImportDialog::readFinished);
    QTest::mouseClick(tokens->viewport(), Qt::LeftButton);
    QTest::keyClicks(tokens, alphabet);
    ASSERT_TRUE(read.wait(30000)) << "typing the tokens did not re-read the model";
    EXPECT_FALSE(labelTextContaining(*dialog, QStringLiteral("27 tokens (used instead")).isEmpty());
    ASSERT_TRUE(dialog->imported());
    EXPECT_EQ(dialog->imported()->model.arch.vocab.tokens()[26], " ");
    EXPECT_FALSE(labelTextContaining(*dialog, QStringLiteral("input: characters, vocabulary 27")).isEmpty());
    EXPECT_FALSE(labelTextContaining(*dialog, QStringLiteral("tokens are characters")).isEmpty());
    clickCheckBox(remember);
    EXPECT_TRUE(remember->isChecked());
    saveScreenshot(*dialog, QStringLiteral("import_dialog_typed_tokens.png"));
    auto* open = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Open);
    ASSERT_TRUE(open->isEnabled());
    QTest::mouseClick(open, Qt::LeftButton);
  });
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.openModelInteractively(model);
  EXPECT_EQ(watcher.seen, QStringList{QStringLiteral("Import char27.pt")});
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  std::vector<std::string> expected;
  for (QChar c : alphabet) expected.push_back(QString(c).toStdString());
  EXPECT_EQ(window.recording()->arch.vocab.tokens(), expected);
  EXPECT_EQ(window.recording()->arch.task, Task::LanguageModel);
  std::vector<std::string> besideTheModel;
  for (const auto& entry : fs::directory_iterator(dir)) besideTheModel.push_back(entry.path().filename().string());
  EXPECT_EQ(besideTheModel, std::vector<std::string>{"char27.pt"});

  // Opening it again applies the remembered choices without asking.
  window.openModel(  // something else in between
      QString::fromStdString(std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/keras3_archive.keras"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  DialogWatcher noDialog([](QDialog&) {});
  shown.clear();
  window.openModelInteractively(model);
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_TRUE(noDialog.seen.isEmpty()) << noDialog.seen.join(QStringLiteral(", ")).toStdString();
  EXPECT_EQ(window.recording()->arch.vocab.tokens(), expected);
  QSettings().remove(QStringLiteral("importChoices"));
}

// A file that says everything (a Keras 3 archive with its TextVectorization vocabulary) opens straight away:
// no dialog, and the status bar says what was read.
TEST(ImportDialogInWindow, FileWithoutAssumptionsOpensWithoutTheDialog) {
  MainWindow window;
  test::prepareForTest(window);
  window.setInteractive(true);
  window.setText(QStringLiteral("the cat sat on the mat"));
  DialogWatcher watcher([](QDialog&) {});
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.openModelInteractively(
      QString::fromStdString(std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/keras3_archive.keras"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_TRUE(watcher.seen.isEmpty()) << watcher.seen.join(QStringLiteral(", ")).toStdString();
  const QString message = window.statusBar()->currentMessage();
  EXPECT_TRUE(message.contains(QStringLiteral("keras3_archive.keras (Keras 3 archive"))) << message.toStdString();
  EXPECT_TRUE(message.contains(QStringLiteral("nothing had to be assumed"))) << message.toStdString();
}

// A foreign model opened without the dialog (command line, remembered choices) still says what was assumed:
// in the status bar once, and in the model name's tooltip for as long as it is open.
TEST(ImportReportInWindow, AssumptionsAreAnnouncedAndKeptAtHand) {
  MainWindow window;
  test::prepareForTest(window);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.setText(QStringLiteral("a,b,c\n0.5,1,2\n1,0,-1\n"));
  window.openModel(QString::fromStdString(std::string(LSTMSCOPE_FOREIGN_DIR) + "/onnx/torch_forecaster.onnx"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  const QString message = window.statusBar()->currentMessage();
  EXPECT_TRUE(message.contains(QStringLiteral("torch_forecaster.onnx (ONNX (opset 14, written by pytorch))")))
      << message.toStdString();
  // Counted in words, not Qt's untranslated "%n thing(s)".
  EXPECT_TRUE(message.contains(QRegularExpression(QStringLiteral(": [0-9]+ things assumed, such as “"))))
      << message.toStdString();
  EXPECT_FALSE(message.contains(QStringLiteral("(s)"))) << message.toStdString();
  QString tooltip;
  for (auto* label : window.statusBar()->findChildren<QLabel*>())
    if (label->toolTip().startsWith(QStringLiteral("format: ONNX"))) tooltip = label->toolTip();
  EXPECT_TRUE(tooltip.contains(QStringLiteral("-> lstm 0 fwd W_ih"))) << tooltip.toStdString();
  EXPECT_TRUE(tooltip.contains(QStringLiteral("assumed: "))) << tooltip.toStdString();
}

// A model opened in part (its head cut off) in the window: the status bar says so first, and the Predictions
// dock says why it has nothing to show.
TEST(ImportReportInWindow, ModelOpenedInPartSaysItInTheStatusBarAndPredictions) {
  MainWindow window;
  test::prepareForTest(window);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.setText(QStringLiteral("1 2 3 4 5 3 2"));
  window.openModel(QString::fromStdString(std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/hostile/lambda.h5"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  const QString message = window.statusBar()->currentMessage();
  EXPECT_TRUE(message.contains(QStringLiteral("the whole model cannot be opened (layer lambda_1 is a Lambda")))
      << message.toStdString();
  auto* predictions = window.findChild<viz::PredictionsView*>();
  ASSERT_TRUE(predictions);
  EXPECT_TRUE(predictions->unavailableReason().contains(QStringLiteral("opened in part, without its head")))
      << predictions->unavailableReason().toStdString();
}

}  // namespace
}  // namespace lstmscope::app
