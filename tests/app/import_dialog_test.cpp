// The import dialog on real PyTorch files: it lists each tensor's role and the assumptions, re-reads the
// model when a choice changes, refuses to open with choices that do not fit, and remembers them.
#include "app/gui/import_dialog.h"

#include <gtest/gtest.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <filesystem>

#include "app/gui/main_window.h"
#include "core/formats/foreign/import_choices_file.h"
#include "tests/app/test_window.h"

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
  buttons->button(QDialogButtonBox::Open)->click();
  EXPECT_EQ(dialog.result(), QDialog::Accepted);
  const SavedImport saved = readSidecar(sidecarPath(model));
  EXPECT_EQ(saved.choices.task, Task::Tagger);
  EXPECT_EQ(saved.vocabPath, torchFixture("bi_classifier.vocab_map.json"));

  // Reopening starts from the remembered choices.
  ImportDialog again(QString::fromStdString(model), QString());
  QSignalSpy readAgain(&again, &ImportDialog::readFinished);
  waitForRead(again, readAgain);
  ASSERT_TRUE(again.imported());
  EXPECT_EQ(again.imported()->model.arch.task, Task::Tagger);
  EXPECT_EQ(again.imported()->model.arch.vocab.unk(), "<unk>");
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
  EXPECT_TRUE(message.contains(QStringLiteral("assumed"))) << message.toStdString();
  QString tooltip;
  for (auto* label : window.statusBar()->findChildren<QLabel*>())
    if (label->toolTip().startsWith(QStringLiteral("format: ONNX"))) tooltip = label->toolTip();
  EXPECT_TRUE(tooltip.contains(QStringLiteral("-> lstm 0 fwd W_ih"))) << tooltip.toStdString();
  EXPECT_TRUE(tooltip.contains(QStringLiteral("assumed: "))) << tooltip.toStdString();
}

}  // namespace
}  // namespace lstmscope::app
