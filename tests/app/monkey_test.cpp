// A monkey on the shown window: 2,000 random clicks, drags, wheel turns and key presses (fixed seed) over
// the heatmap, the docks and the tool bar, on the demo and on the bracket fixture. Afterwards the app must
// still answer: a new analysis is shown and a click still picks a step. Under the ASan build this also
// proves that no such sequence touches freed or out-of-range memory.
//
// The monkey stays off what would block a test forever: the menu bar and the shortcuts that open modal
// file or export dialogs (errors are shown without dialogs in test mode).
#include <gtest/gtest.h>

#include <QApplication>
#include <QFile>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>
#include <random>

#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

constexpr int kEvents = 2000;

// Keys a user presses while exploring; none opens a modal dialog.
const Qt::Key kKeys[] = {Qt::Key_Left,      Qt::Key_Right,      Qt::Key_Up,     Qt::Key_Down,      Qt::Key_PageUp,
                         Qt::Key_PageDown,  Qt::Key_Home,       Qt::Key_End,    Qt::Key_Plus,      Qt::Key_Minus,
                         Qt::Key_0,         Qt::Key_Tab,        Qt::Key_Space,  Qt::Key_Backspace, Qt::Key_A,
                         Qt::Key_ParenLeft, Qt::Key_ParenRight, Qt::Key_Escape, Qt::Key_Return,    Qt::Key_F5};

class Monkey {
 public:
  Monkey(MainWindow& window, unsigned seed) : window_(window), rng_(seed) {}

  void run(int events) {
    for (int k = 0; k < events; ++k) {
      act();
      // Let timers, jobs and repaints run in between, as they do between a user's actions.
      if (k % 10 == 0) QTest::qWait(5);
      QApplication::processEvents();
      closePopups();
    }
  }

 private:
  // A point inside the window, below the menu bar (where clicks open nothing modal).
  QPoint somewhere() {
    const int top = window_.menuBar()->geometry().bottom() + 1;
    std::uniform_int_distribution<int> x(0, window_.width() - 1), y(top, window_.height() - 1);
    return {x(rng_), y(rng_)};
  }

  // The widget under a window point, and the point in its coordinates.
  std::pair<QWidget*, QPoint> target(QPoint at) {
    QWidget* w = window_.childAt(at);
    if (!w) w = &window_;
    return {w, w->mapFrom(&window_, at)};
  }

  void act() {
    const auto [widget, at] = target(somewhere());
    const Qt::KeyboardModifiers modifiers = coin(0.2) ? Qt::ShiftModifier : Qt::NoModifier;
    switch (std::uniform_int_distribution<int>(0, 4)(rng_)) {
      case 0:
        QTest::mouseClick(widget, Qt::LeftButton, modifiers, at);
        break;
      case 1: {  // a drag: pan, brush (Shift), drag a threshold or a dock's content
        const QPoint to = at + QPoint(std::uniform_int_distribution<int>(-200, 200)(rng_),
                                      std::uniform_int_distribution<int>(-100, 100)(rng_));
        QTest::mousePress(widget, Qt::LeftButton, modifiers, at);
        QTest::mouseMove(widget, (at + to) / 2);
        QTest::mouseMove(widget, to);
        QTest::mouseRelease(widget, Qt::LeftButton, modifiers, to);
        break;
      }
      case 2: {
        const QPoint global = widget->mapToGlobal(at);
        QWheelEvent wheel(at, global, QPoint(), QPoint(0, coin(0.5) ? 120 : -120), Qt::NoButton, modifiers,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(widget, &wheel);
        break;
      }
      case 3:
        QTest::mouseDClick(widget, Qt::LeftButton, modifiers, at);
        break;
      default: {
        QWidget* focus = QApplication::focusWidget() ? QApplication::focusWidget() : widget;
        const Qt::Key key = kKeys[std::uniform_int_distribution<size_t>(0, std::size(kKeys) - 1)(rng_)];
        QTest::keyClick(focus, key, modifiers);
      }
    }
  }

  // Combo-box lists and menus that a click opened close as a user's next click elsewhere would.
  static void closePopups() {
    while (QWidget* popup = QApplication::activePopupWidget()) popup->close();
  }

  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }

  MainWindow& window_;
  std::mt19937 rng_;
};

// The app still works: it analyses and shows a text, and a click in the plot picks that step.
void expectResponsive(MainWindow& window) {
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.setText(QStringLiteral("(()())\n(())\n"));
  ASSERT_TRUE(shown.wait(120000)) << window.lastError().toStdString();
  EXPECT_EQ(window.recording()->steps, 12);
  viz::HeatmapView* view = window.heatmap();
  view->showSteps(0, 12);
  const auto& vp = view->viewport();
  QTest::mouseClick(view, Qt::LeftButton, {},
                    QPoint(view->plotRect().left() + static_cast<int>(vp.xOfStep(7.5)),
                           view->plotRect().top() + static_cast<int>(vp.yOfRow(0.5))));
  EXPECT_EQ(window.state().currentStep, 7);
}

void openAndWait(MainWindow& window, const QString& model, const QString& text) {
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.setText(text);
  window.openModel(model);
  ASSERT_TRUE(shown.wait(120000)) << window.lastError().toStdString();
}

TEST(Monkey, TwoThousandRandomActionsOnTheDemo) {
  MainWindow window;
  test::prepareForTest(window);
  // The start of the sample text: long enough to scroll and brush, short enough that the analyses and
  // attributions the monkey sets off (every method, the matrix) stay quick under ASan.
  QFile sample(QStringLiteral(LSTMSCOPE_SOURCE_DIR "/resources/demo/sample.py"));
  ASSERT_TRUE(sample.open(QIODevice::ReadOnly));
  window.setText(QString::fromUtf8(sample.readAll()).left(150));
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.openDemo(false);
  ASSERT_TRUE(shown.wait(120000)) << window.lastError().toStdString();
  Monkey(window, 20261202).run(kEvents);
  // Back to a model that reads brackets for the check (the demo reads them too).
  expectResponsive(window);
}

TEST(Monkey, TwoThousandRandomActionsOnTheBracketFixture) {
  MainWindow window;
  test::prepareForTest(window);
  QString text;
  for (int k = 0; k < 40; ++k) text += QStringLiteral("(()(()))\n()((()))\n");
  openAndWait(window, QStringLiteral(LSTMSCOPE_SOURCE_DIR "/resources/fixtures/brackets_char.h5"), text);
  Monkey(window, 7).run(kEvents);
  expectResponsive(window);
}

}  // namespace
}  // namespace lstmscope::app
