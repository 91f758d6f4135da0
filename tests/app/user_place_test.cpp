// The app keeps the user's place, driven with real mouse and key events on the shown window: an edit moves
// the brush, the current step and the heatmap's view with the characters they were on; another text or
// model clears what no longer applies; picking a unit of the brush's list does not scroll away from it.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QListWidget>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/analysis_session.h"
#include "app/gui/select_panel.h"
#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

class UserPlaceTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::openDemoForTest(window_)); }

  // Shift-drags across steps [first, end) of the heatmap, as a user brushes.
  void brushByMouse(long first, long end) {
    viz::HeatmapView* view = window_.heatmap();
    const auto& vp = view->viewport();
    const int y = view->plotRect().top() + static_cast<int>(vp.yOfRow(2.5));
    const auto x = [&](double step) {
      return view->plotRect().left() + static_cast<int>(std::lround(vp.xOfStep(step)));
    };
    QTest::mousePress(view, Qt::LeftButton, Qt::ShiftModifier, QPoint(x(first + 0.2), y));
    QTest::mouseMove(view, QPoint(x((first + end) / 2.0), y));
    QTest::mouseMove(view, QPoint(x(end - 0.2), y));
    QTest::mouseRelease(view, Qt::LeftButton, Qt::ShiftModifier, QPoint(x(end - 0.2), y));
  }

  QString shownText(viz::IndexSpan steps) const {
    QString text;
    for (long s = steps.first; s < steps.end; ++s)
      text += QString::fromStdString(window_.recording()->tokens[static_cast<size_t>(s)]);
    return text;
  }

  MainWindow window_;
};

// A brush takes the cell pressed on and the cell released on, wherever in them: pressing in the right half
// of step 40 and releasing in the left half of step 44 brushes 40–44, dragging either way.
TEST_F(UserPlaceTest, ABrushTakesTheCellsPressedAndReleasedOn) {
  viz::HeatmapView* view = window_.heatmap();
  view->showSteps(30, 30);
  ASSERT_TRUE(test::waitForHeatmapFrame(window_));
  const auto& vp = view->viewport();
  const int y = view->plotRect().top() + static_cast<int>(vp.yOfRow(2.5));
  const auto x = [&](double step) { return view->plotRect().left() + static_cast<int>(std::lround(vp.xOfStep(step))); };
  for (const auto& [from, to] : {std::pair{40.8, 44.3}, std::pair{44.3, 40.8}}) {
    QTest::mousePress(view, Qt::LeftButton, Qt::ShiftModifier, QPoint(x(from), y));
    QTest::mouseMove(view, QPoint(x(42), y));
    QTest::mouseMove(view, QPoint(x(to), y));
    QTest::mouseRelease(view, Qt::LeftButton, Qt::ShiftModifier, QPoint(x(to), y));
    EXPECT_EQ(window_.state().brush, (viz::IndexSpan{40, 45})) << from << " to " << to;
  }
}

TEST_F(UserPlaceTest, AnEditMovesTheBrushAndTheViewWithTheirCharacters) {
  window_.heatmap()->showSteps(90, 60);
  brushByMouse(100, 108);
  ASSERT_EQ(window_.state().brush, (viz::IndexSpan{100, 108}));
  const QString brushed = shownText(window_.state().brush);
  window_.pickCurrent(104, 5);
  const double firstBefore = window_.heatmap()->viewport().firstStep;

  // Type two characters at the very start of the text.
  window_.findChild<QDockWidget*>(QStringLiteral("text"))->raise();
  QPlainTextEdit* editor = window_.textEditor();
  QTest::mouseClick(editor->viewport(), Qt::LeftButton, {}, QPoint(4, 4));
  QTest::keyClick(editor, Qt::Key_Home, Qt::ControlModifier);
  QSignalSpy shown(&window_, &MainWindow::analysisShown);
  QTest::keyClicks(editor, QStringLiteral("# "));
  ASSERT_TRUE(editor->toPlainText().startsWith(QStringLiteral("# "))) << editor->toPlainText().left(20).toStdString();
  ASSERT_TRUE(shown.wait(60000)) << window_.lastError().toStdString();
  ASSERT_TRUE(editor->toPlainText().startsWith(QStringLiteral("# ")));

  EXPECT_EQ(window_.state().brush, (viz::IndexSpan{102, 110}));
  EXPECT_EQ(shownText(window_.state().brush), brushed);
  EXPECT_FALSE(window_.state().selectedUnits.empty());  // the rule ran again on the moved brush
  EXPECT_EQ(window_.state().currentStep, 106);
  EXPECT_NEAR(window_.heatmap()->viewport().firstStep, firstBefore + 2, 1e-9);

  // An edit inside the brushed characters: the brush no longer covers what it did, so it goes.
  QTest::keyClick(editor, Qt::Key_Home, Qt::ControlModifier);
  for (int k = 0; k < 105; ++k) QTest::keyClick(editor, Qt::Key_Right);
  QTest::keyClicks(editor, QStringLiteral("Z"));
  ASSERT_TRUE(shown.wait(60000)) << window_.lastError().toStdString();
  EXPECT_EQ(window_.state().brush.size(), 0);
  EXPECT_TRUE(window_.state().selectedUnits.empty());
}

TEST_F(UserPlaceTest, AnotherTextOrModelStartsOver) {
  window_.heatmap()->showSteps(90, 60);
  brushByMouse(100, 108);
  ASSERT_FALSE(window_.state().selectedUnits.empty());
  window_.pickCurrent(104, 5);

  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("other.py"));
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write(QByteArray("import os\n").repeated(40));
  file.close();
  QSignalSpy shown(&window_, &MainWindow::analysisShown);
  ASSERT_TRUE(window_.openTextFile(path));
  ASSERT_TRUE(shown.wait(60000)) << window_.lastError().toStdString();
  EXPECT_EQ(window_.state().brush.size(), 0);
  EXPECT_TRUE(window_.state().selectedUnits.empty());
  // It opens as a new input does (docs/APP.md): on the unit that best tracks the text's structure, at a
  // step of the first window, not at the old text's step and unit.
  EXPECT_LT(window_.state().currentStep, 40);
  EXPECT_EQ(window_.state().currentUnit, window_.session()->result()->highlight.unit);
  EXPECT_EQ(window_.heatmap()->viewport().firstStep, 0);

  brushByMouse(10, 14);
  ASSERT_EQ(window_.state().brush, (viz::IndexSpan{10, 14}));
  window_.controls()->setLayer(0);  // the user looks at the first layer
  window_.openDemo(false);          // another model (the same file, opened again) on the same text
  ASSERT_TRUE(shown.wait(60000)) << window_.lastError().toStdString();
  EXPECT_EQ(window_.state().brush.size(), 0);
  EXPECT_TRUE(window_.state().selectedUnits.empty());
  // It opens on the last layer, at its best unit, and says which unit that is.
  EXPECT_EQ(window_.controls()->layer(), 1);
  EXPECT_EQ(window_.state().currentUnit, window_.session()->result()->highlight.unit);
  EXPECT_TRUE(window_.statusBar()->currentMessage().startsWith(
      QStringLiteral("Unit %1 of layer 1").arg(window_.session()->result()->highlight.unit)))
      << window_.statusBar()->currentMessage().toStdString();
  // Moving to another unit withdraws that message: it is no longer about the unit shown.
  window_.pickCurrent(20, (window_.state().currentUnit + 7) % 256);
  EXPECT_TRUE(window_.statusBar()->currentMessage().isEmpty()) << window_.statusBar()->currentMessage().toStdString();
}

TEST_F(UserPlaceTest, PickingAListedUnitKeepsTheBrushInView) {
  window_.heatmap()->showSteps(2060, 60);
  brushByMouse(2084, 2092);  // an argument list: two units are on across it (README)
  ASSERT_GE(window_.state().selectedUnits.size(), 2u);
  ASSERT_LT(window_.state().currentStep, 2060);  // the current step is far from the brush

  window_.findChild<QDockWidget*>(QStringLiteral("trajectories"))->raise();
  auto* list = window_.findChild<SelectPanel*>()->findChild<QListWidget*>();
  ASSERT_NE(list, nullptr);
  QApplication::processEvents();
  const QRect item = list->visualItemRect(list->item(1));
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, item.center());

  EXPECT_EQ(window_.state().currentUnit, window_.state().selectedUnits[1]);
  EXPECT_GE(window_.state().currentStep, 2084);
  EXPECT_LT(window_.state().currentStep, 2092);
  const auto& vp = window_.heatmap()->viewport();
  EXPECT_LE(vp.firstStep, 2084);
  EXPECT_GE(vp.firstStep + vp.visibleSteps, 2092);
}

}  // namespace
}  // namespace lstmscope::app
