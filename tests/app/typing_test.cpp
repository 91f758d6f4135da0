// Typing in the app as a user does (real key and mouse events on the shown window): input the model cannot
// read is marked in the text with a message bar, never a dialog after every pause; Tab moves focus; the
// smaller things around it (unit filter, status texts, Open Demo, the colour range of c).
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <vector>

#include "app/gui/input_pane.h"
#include "app/gui/status_area.h"
#include "core/formats/native_model.h"
#include "tests/app/test_window.h"
#include "tests/support/test_models.h"

namespace lstmscope::app {
namespace {

QString sampleText() {
  QFile sample(QStringLiteral(LSTMSCOPE_SOURCE_DIR "/resources/demo/sample.py"));
  sample.open(QIODevice::ReadOnly);
  return QString::fromUtf8(sample.readAll());
}

// Records (and closes) every modal dialog that appears, so that a test sees one instead of hanging in it.
class ModalWatch {
 public:
  ModalWatch() {
    timer_.setInterval(20);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      if (QWidget* modal = QApplication::activeModalWidget()) {
        ++seen_;
        modal->close();
      }
    });
    timer_.start();
  }
  int seen() const { return seen_; }

 private:
  QTimer timer_;
  int seen_ = 0;
};

bool containsColour(const QImage& image, QRgb colour) {
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if ((image.pixel(x, y) & 0xffffff) == (colour & 0xffffff)) return true;
  return false;
}

class TypingTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::openDemoForTest(window_));
    window_.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window_));
  }

  InputPane* input() const { return window_.findChild<InputPane*>(); }
  QPlainTextEdit* editor() const { return window_.textEditor(); }

  void clickIntoEditor() {
    window_.findChild<QDockWidget*>(QStringLiteral("text"))->raise();
    QApplication::processEvents();
    QTest::mouseClick(editor()->viewport(), Qt::LeftButton, {}, QPoint(20, 10));
    for (int k = 0; k < 100 && !editor()->hasFocus(); ++k) QTest::qWait(10);
    ASSERT_TRUE(editor()->hasFocus());
  }

  MainWindow window_;
};

TEST_F(TypingTest, AnUnknownCharacterIsMarkedInlineWithoutADialog) {
  window_.setInteractive(true);  // as for users: errors that deserve one get a dialog
  ModalWatch modals;
  clickIntoEditor();
  QTest::keyClick(editor(), Qt::Key_End, Qt::ControlModifier);
  const int position = editor()->textCursor().position();
  QSignalSpy failed(&window_, &MainWindow::analysisFailed);
  // A key that is no ASCII key (as a European keyboard's € key sends it).
  QTest::sendKeyEvent(QTest::Press, editor(), Qt::Key_unknown, QStringLiteral("€"), Qt::NoModifier);
  QTest::sendKeyEvent(QTest::Release, editor(), Qt::Key_unknown, QStringLiteral("€"), Qt::NoModifier);
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("'€'"))) << failed.last()[0].toString().toStdString();
  QTest::qWait(1500);  // past another typing pause: still no dialog
  EXPECT_EQ(QApplication::activeModalWidget(), nullptr);
  EXPECT_EQ(modals.seen(), 0);

  // The bar says what is wrong; the character is marked where it is.
  ASSERT_TRUE(input()->problemBar()->isVisible());
  EXPECT_TRUE(input()->problemMessage()->text().contains(QStringLiteral("'€'")));
  const auto marks = editor()->extraSelections();
  ASSERT_EQ(marks.size(), 1);
  EXPECT_EQ(marks[0].cursor.selectionStart(), position);
  EXPECT_EQ(marks[0].cursor.selectedText(), QStringLiteral("€"));
  const QImage marked = editor()->viewport()->grab().toImage();
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {
    marked.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/unknown-character.png"));
    window_.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/unknown-character-window.png"));
  }
  EXPECT_TRUE(containsColour(marked, qRgb(0xff, 0xc8, 0xc8)));
  EXPECT_TRUE(editor()->hasFocus());  // typing goes on

  // Deleting it: analysed again, the bar and the mark are gone.
  QSignalSpy shown(&window_, &MainWindow::analysisShown);
  QTest::keyClick(editor(), Qt::Key_Backspace);
  ASSERT_TRUE(shown.wait(60000)) << window_.lastError().toStdString();
  EXPECT_FALSE(input()->problemBar()->isVisible());
  EXPECT_TRUE(editor()->extraSelections().isEmpty());
  EXPECT_FALSE(containsColour(editor()->viewport()->grab().toImage(), qRgb(0xff, 0xc8, 0xc8)));
  EXPECT_EQ(modals.seen(), 0);
}

TEST_F(TypingTest, TabMovesFocusAndInsertsNoTab) {
  const QString text = editor()->toPlainText();
  window_.heatmap()->setFocus();
  for (int k = 0; k < 12; ++k) QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
  clickIntoEditor();
  QTest::keyClick(editor(), Qt::Key_Tab);
  EXPECT_FALSE(editor()->hasFocus());
  QTest::qWait(800);  // past the typing pause: nothing was typed
  EXPECT_EQ(editor()->toPlainText(), text);
  EXPECT_FALSE(input()->problemBar()->isVisible());
}

TEST(ModelOpening, AModelThatCannotReadTheTextOffersTheSample) {
  const test::ScratchDir dir("typing");
  Model model = test::smallCharModel();
  model.arch.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c", " ", "\n", "(", ")", "x"});  // no UNK
  const std::string path = dir.file("abc.h5");
  saveNativeModel(model, path);
  MainWindow window;
  test::prepareForTest(window);
  window.setInteractive(true);
  ModalWatch modals;
  window.setText(QStringLiteral("abc (xyz)\n"));  // 'y' and 'z' are not in its vocabulary
  QSignalSpy failed(&window, &MainWindow::analysisFailed);
  window.openModel(QString::fromStdString(path));
  ASSERT_TRUE(failed.wait(60000));
  auto* input = window.findChild<InputPane*>();
  ASSERT_TRUE(input->problemBar()->isVisible());
  EXPECT_EQ(window.textEditor()->extraSelections().size(), 2);
  EXPECT_TRUE(input->useSampleButton()->isHidden());  // the sample has other characters: no use offering it
  EXPECT_EQ(modals.seen(), 0);

  // The demo model with text it cannot read: its sample is offered, and one click puts it in.
  window.setText(QStringLiteral("caf\u00e9 \u2603\n"));
  QSignalSpy failedAgain(&window, &MainWindow::analysisFailed);
  window.openDemo(false);
  ASSERT_TRUE(failedAgain.wait(60000));
  ASSERT_TRUE(input->useSampleButton()->isVisible());
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  QTest::mouseClick(input->useSampleButton(), Qt::LeftButton);
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_EQ(window.textEditor()->toPlainText(), sampleText());
  EXPECT_FALSE(input->problemBar()->isVisible());
  EXPECT_EQ(modals.seen(), 0);
}

TEST_F(TypingTest, TheSameModelErrorIsNotShownTwiceInARow) {
  window_.setInteractive(true);
  ModalWatch modals;
  QSignalSpy failed(&window_, &MainWindow::analysisFailed);
  for (int k = 0; k < 2; ++k) {
    window_.openModel(QStringLiteral("/no/such/model.h5"));
    ASSERT_TRUE(failed.wait(60000));
    QTest::qWait(100);
  }
  EXPECT_EQ(modals.seen(), 1);
}

TEST_F(TypingTest, ClearingTheUnitFilterClearsItsErrorColour) {
  auto* filter = window_.controls()->findChild<QLineEdit*>();
  ASSERT_NE(filter, nullptr);
  QTest::mouseClick(filter, Qt::LeftButton);
  QTest::keyClicks(filter, QStringLiteral("zz"));
  QTest::keyClick(filter, Qt::Key_Return);
  const QRgb pink = qRgb(0xff, 0xdd, 0xdd);
  ASSERT_TRUE(containsColour(filter->grab().toImage(), pink));
  QTest::keyClick(filter, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClick(filter, Qt::Key_Backspace);  // emptied, no Return
  EXPECT_FALSE(containsColour(filter->grab().toImage(), pink));
  EXPECT_TRUE(filter->toolTip().isEmpty());
}

TEST_F(TypingTest, OneSelectedUnitIsOneUnit) {
  // A brush that selects exactly one unit (searched), made by dragging over the heatmap's steps.
  for (long first = 100; first < 1500; first += 37) {
    window_.brushSteps({first, first + 6});
    if (window_.state().selectedUnits.size() == 1) break;
  }
  ASSERT_EQ(window_.state().selectedUnits.size(), 1u);
  const QString message = window_.statusBar()->currentMessage();
  EXPECT_TRUE(message.startsWith(QStringLiteral("1 unit is on across steps"))) << message.toStdString();
  window_.brushSteps({0, 400});
  EXPECT_TRUE(window_.statusBar()->currentMessage().contains(QStringLiteral("units are on")));
}

TEST_F(TypingTest, OpenDemoPutsTheSampleTextIn) {
  QSignalSpy shown(&window_, &MainWindow::analysisShown);
  window_.setText(QStringLiteral("x = 1\n"));
  ASSERT_TRUE(shown.wait(60000));
  QAction* openDemo = nullptr;
  for (QAction* a : window_.menuBar()->findChildren<QAction*>())
    if (a->text() == QStringLiteral("Open &Demo")) openDemo = a;
  ASSERT_NE(openDemo, nullptr);
  openDemo->trigger();
  ASSERT_TRUE(shown.wait(60000));
  EXPECT_EQ(editor()->toPlainText(), sampleText());
  EXPECT_EQ(window_.recording()->steps, sampleText().size());
}

TEST_F(TypingTest, LongStatusMessagesStayLeftOfTheModelLabel) {
  QStatusBar* bar = window_.statusBar();
  QLabel* model = nullptr;
  for (auto* label : bar->findChildren<QLabel*>())
    if (label->text().contains(QStringLiteral("steps in"))) model = label;
  ASSERT_NE(model, nullptr);
  auto* status = bar->findChild<StatusArea*>();
  ASSERT_NE(status, nullptr);
  const QString longMessage = QStringLiteral("a long message ").repeated(40);
  status->showMessage(longMessage, 10000);
  EXPECT_LT(bar->fontMetrics().horizontalAdvance(bar->currentMessage()), model->x());
  EXPECT_EQ(bar->toolTip(), longMessage);  // the whole message at hand
}

TEST_F(TypingTest, AHintFollowsTheMessageItWouldHaveReplaced) {
  auto* status = window_.statusBar()->findChild<StatusArea*>();
  ASSERT_NE(status, nullptr);
  status->showMessage(QStringLiteral("model.keras: nothing had to be assumed"), 300);
  status->showHint(QStringLiteral("Unit 3 of layer 1 tracks bracket depth"), 5000);
  EXPECT_EQ(window_.statusBar()->currentMessage(), QStringLiteral("model.keras: nothing had to be assumed"));
  for (int k = 0; k < 300 && window_.statusBar()->currentMessage().startsWith(QStringLiteral("model")); ++k)
    QTest::qWait(10);
  EXPECT_EQ(window_.statusBar()->currentMessage(), QStringLiteral("Unit 3 of layer 1 tracks bracket depth"));
}

TEST_F(TypingTest, AutomaticRangeOfCellStatesCoversMostOfTheMap) {
  window_.controls()->setQuantity(Quantity::C, false);
  QApplication::processEvents();
  const Mat<float>& values = window_.heatmap()->data()->values();
  std::vector<float> sorted(values.data(), values.data() + values.size());
  std::sort(sorted.begin(), sorted.end());
  const double p1 = sorted[sorted.size() / 100], p99 = sorted[sorted.size() * 99 / 100];
  const double high = window_.heatmap()->scale().high();
  EXPECT_EQ(window_.heatmap()->scale().low(), -high);
  // Covers the 1st..99th percentile, and is not stretched to the few counters far beyond it.
  EXPECT_GE(high, 0.9 * std::max(std::abs(p1), std::abs(p99)));
  EXPECT_LE(high, 1.5 * std::max(std::abs(p1), std::abs(p99)));
  const auto inside = std::count_if(sorted.begin(), sorted.end(), [high](float v) { return std::abs(v) <= high; });
  EXPECT_GE(static_cast<double>(inside) / sorted.size(), 0.97);
}

}  // namespace
}  // namespace lstmscope::app
