// The Attribution dock's background runs as the user sees them: the bar moves while Integrated Gradients
// works, and moving the current step during a long run drops that run at once and ends with the new
// step's result only.
#include <gtest/gtest.h>

#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

TEST(AttributionJobs, MovingTheStepDuringALongRunEndsWithTheNewStepsResultOnly) {
  MainWindow window;
  test::prepareForTest(window);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.openDemo();
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  AttributionPanel& panel = *window.attribution();
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  // A run of minutes: the most IG points the dock offers, in float64, late in the text.
  panel.setPrecision(Precision::Float64);
  panel.findChild<QSpinBox*>()->setValue(4096);
  const long late = window.recording()->steps - 2;
  window.pickCurrent(late, 0);
  QProgressBar* bar = panel.findChild<QProgressBar*>();
  ASSERT_NE(bar, nullptr);
  // The bar moves with the work (per batch of points), not only at the end.
  for (int k = 0; k < 6000 && !(bar->isVisible() && bar->value() > 0); ++k) QTest::qWait(10);
  ASSERT_TRUE(bar->isVisible());
  EXPECT_GT(bar->value(), 0);
  EXPECT_LT(bar->value(), bar->maximum());
  ASSERT_TRUE(panel.busy());

  // The user presses Home in the heatmap: step 0 becomes current while the long run is still going.
  QSignalSpy results(&panel, &AttributionPanel::reportReady);
  window.heatmap()->setFocus();
  QTest::keyClick(window.heatmap(), Qt::Key_Home);
  EXPECT_EQ(window.state().currentStep, 0);
  // Generous: the step-0 run takes well under a second; the dropped run would have taken minutes.
  for (int k = 0; k < 6000 && !panel.settled(); ++k) QTest::qWait(10);
  ASSERT_TRUE(panel.settled()) << "the stale run kept going";
  ASSERT_EQ(results.count(), 1);
  EXPECT_EQ(panel.report()->target.step, 0);
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("step 0")));
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("float64")));
  EXPECT_FALSE(bar->isVisible());  // nothing left running: no bar, no Cancel
  EXPECT_FALSE(panel.findChild<QPushButton*>()->isVisible());
}

}  // namespace
}  // namespace lstmscope::app
