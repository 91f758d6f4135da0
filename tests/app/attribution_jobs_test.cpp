// The Attribution dock's background runs as the user sees them: the bar moves while Integrated Gradients
// works, and moving the current step during a long run drops that run at once and ends with the new
// step's result only.
#include <gtest/gtest.h>

#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include "app/gui/analysis_session.h"
#include "core/analysis/recording.h"
#include "core/attribution/gradient_attribution.h"
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

// At the last step of a language model's text there is no next token: the target is the most probable
// output, which needs a forward pass over the text. The GUI thread never runs it (over 100,000 steps it
// froze the window for 28 s); the background run finds it, and it is the core's default target.
TEST(AttributionJobs, TheMostProbableOutputIsFoundInTheBackground) {
  MainWindow window;
  ASSERT_TRUE(test::openDemoForTest(window));
  AttributionPanel& panel = *window.attribution();
  panel.setMethod(AttributionMethod::Saliency);  // one pass: the target is what this test is about
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  const long last = window.recording()->steps - 1;
  window.heatmap()->setFocus();
  QTest::keyClick(window.heatmap(), Qt::Key_End);
  ASSERT_EQ(window.state().currentStep, last);
  EXPECT_EQ(panel.target().step, last);
  EXPECT_LT(panel.target().output, 0);  // not known yet: nothing ran on this thread to find it
  EXPECT_TRUE(panel.targetDescription().contains(QStringLiteral("most probable output")))
      << panel.targetDescription().toStdString();
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  ASSERT_TRUE(panel.settled());
  ASSERT_NE(panel.report(), nullptr);
  Inputs<double> tokens;
  tokens.steps = static_cast<int>(last + 1);
  tokens.tokens = window.recording()->ids;
  const AttributionTarget expected = defaultTarget(window.session()->model()->cast<double>(), tokens, last);
  EXPECT_EQ(panel.report()->target.step, last);
  EXPECT_EQ(panel.report()->target.output, expected.output);
  EXPECT_EQ(panel.target().output, expected.output);
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("step %1").arg(last)));
  EXPECT_FALSE(panel.targetDescription().contains(QStringLiteral("most probable output")));
}

}  // namespace
}  // namespace lstmscope::app
