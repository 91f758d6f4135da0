// Interventions in the window (docs/APP.md "Interventions"): a right click on a heatmap cell offers to
// ablate that unit there; the Interventions dock lists it and the text runs again under it; the views then
// show the intervened run, the original, or their difference, drawn in the diverging map (zero where the
// intervention cannot have reached yet), and the predictions show each probability's change.
#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "app/gui/analysis_session.h"
#include "app/gui/generation_panel.h"
#include "app/gui/interventions_panel.h"
#include "core/intervention/generation.h"
#include "tests/app/test_window.h"
#include "viz/predictions_view.h"
#include "viz/token_text.h"

namespace lstmscope::app {
namespace {

class InterventionsDock : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::openDemoForTest(window_)); }

  void waitForFrame() { ASSERT_TRUE(test::waitForHeatmapFrame(window_)); }
  QPoint cellCentre(long step, double row) const { return test::heatmapCellCentre(window_.heatmap(), step, row); }
  // Waits for the run under the dock's interventions.
  testing::AssertionResult waitForRun() {
    QSignalSpy shown(&window_, &MainWindow::analysisShown);
    for (int k = 0; k < 6000 && (window_.session()->busy() || shown.isEmpty()); ++k) QTest::qWait(10);
    if (shown.isEmpty()) return testing::AssertionFailure() << "no analysis was shown";
    return testing::AssertionSuccess();
  }

  MainWindow window_;
};

TEST_F(InterventionsDock, ARightClickAblatesAUnitHereAndTheDifferenceShowsWhereItActs) {
  window_.controls()->setLayer(1);
  window_.controls()->setQuantity(Quantity::C);  // tanh(c)
  window_.controls()->setUnitFilter(QStringLiteral("0-15"));
  emit window_.controls()->changed();
  viz::HeatmapView* view = window_.heatmap();
  view->showSteps(200, 60);
  waitForFrame();

  // Right-click the cell of display row 4 at step 220: the menu offers to ablate that unit there.
  const int unit = view->rowUnits()[4];
  QTest::mouseClick(view, Qt::LeftButton, {}, cellCentre(220, 4.0));  // focus, as a user's first click
  QContextMenuEvent rightClick(QContextMenuEvent::Mouse, cellCentre(220, 4.0), view->mapToGlobal(cellCentre(220, 4.0)));
  QApplication::sendEvent(view, &rightClick);
  QMenu* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
  ASSERT_NE(menu, nullptr) << "no menu opened";
  QAction* ablateHere = nullptr;
  QStringList offered;
  for (QAction* a : menu->actions()) {
    offered << a->text();
    if (a->text().startsWith(QStringLiteral("Ablate unit %1 here (step 220)").arg(unit))) ablateHere = a;
  }
  ASSERT_NE(ablateHere, nullptr) << offered.join(QStringLiteral(" | ")).toStdString();
  EXPECT_TRUE(offered.first().startsWith(QStringLiteral("Clamp unit %1").arg(unit)));
  const auto before = window_.session()->recording();
  ablateHere->trigger();
  menu->close();
  ASSERT_TRUE(waitForRun());

  // The dock lists it; the session ran the text under it.
  InterventionsPanel* panel = window_.interventions();
  EXPECT_EQ(panel->specs(), QStringList{QStringLiteral("1/fwd/c:%1@220:221=zero").arg(unit)});
  ASSERT_TRUE(window_.session()->intervened());
  const Recording& intervened = *window_.session()->recording();
  EXPECT_EQ(intervened.values(1, 0, Quantity::C)(unit, 220), 0.0f);
  EXPECT_EQ(intervened.values(1, 0, Quantity::C)(unit, 219), before->values(1, 0, Quantity::C)(unit, 219));
  EXPECT_NE(intervened.values(1, 0, Quantity::C)(unit, 221), before->values(1, 0, Quantity::C)(unit, 221));

  // The difference, chosen in the dock: exact zeros before step 220, drawn in the diverging map's middle.
  panel->findChild<QComboBox*>()->setCurrentIndex(static_cast<int>(RunShown::Difference));
  ASSERT_TRUE(window_.session()->showsDifference());
  EXPECT_EQ(view->scale().map().kind(), viz::ColourMap::Kind::Diverging);
  EXPECT_NE(view->figureTitle().indexOf(QStringLiteral("intervened − original")), -1)
      << view->figureTitle().toStdString();
  waitForFrame();
  const QImage shot = view->grab().toImage();
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    shot.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/intervention-difference.png"));
  const QRgb neutral = view->scale().colourOf(0.0f) & 0xffffff;
  for (long step : {205L, 212L, 219L})
    for (double row : {0.0, 4.0, 9.0}) EXPECT_EQ(shot.pixel(cellCentre(step, row)) & 0xffffff, neutral) << step;
  EXPECT_NE(shot.pixel(cellCentre(220, 4.0)) & 0xffffff, neutral) << "the ablated cell";
  // The colour range spans the changes the ablation caused in the other units; the ablated unit's own
  // change (the whole value) is larger and drawn saturated rather than leaving the rest near white.
  const Mat<float>& difference = view->data()->values();
  float others = 0;
  for (long u = 0; u < difference.rows(); ++u)
    if (u != unit) others = std::max(others, difference.row(u).cwiseAbs().maxCoeff());
  ASSERT_GT(std::abs(difference(unit, 220)), others) << "the premise: the ablated unit changed most";
  ASSERT_GT(others, 0.0f);
  EXPECT_DOUBLE_EQ(view->scale().high(), others);
  EXPECT_DOUBLE_EQ(view->scale().low(), -others);

  // The predictions beside it show the change from the original run, with room for the extra line.
  window_.pickCurrent(221, unit);
  const viz::PredictionsView* predictions = window_.predictions();
  const int next = predictions->summary().nextId;
  ASSERT_GE(next, 0);
  const double change = 100.0 * (static_cast<double>(intervened.probs(next, 221)) - before->probs(next, 221));
  EXPECT_NEAR(predictions->baselineChange(next), change, 1e-9);
  EXPECT_NE(change, 0.0) << "ablating the unit at step 220 changed nothing at 221: nothing was checked";
  const int withBaseline = predictions->figureHeightForWidth(400);
  panel->findChild<QComboBox*>()->setCurrentIndex(static_cast<int>(RunShown::Original));
  EXPECT_TRUE(std::isnan(predictions->baselineChange(next)));
  EXPECT_LT(predictions->figureHeightForWidth(400), withBaseline);
  panel->findChild<QComboBox*>()->setCurrentIndex(static_cast<int>(RunShown::Difference));
  // The original again, then the intervention switched off: a plain run.
  panel->findChild<QComboBox*>()->setCurrentIndex(static_cast<int>(RunShown::Original));
  EXPECT_EQ(window_.session()->recording()->values(1, 0, Quantity::C)(unit, 220),
            before->values(1, 0, Quantity::C)(unit, 220));
  panel->setEnabledAt(0, false);
  ASSERT_TRUE(waitForRun());
  EXPECT_FALSE(window_.session()->intervened());
}

TEST_F(InterventionsDock, ATypedSpecIsCheckedAgainstTheModelInline) {
  InterventionsPanel* panel = window_.interventions();
  QLineEdit* entry = panel->entry();
  QTest::keyClicks(entry, QStringLiteral("7/fwd/c:3=zero"));
  QTest::keyClick(entry, Qt::Key_Return);
  EXPECT_TRUE(panel->specs().isEmpty());
  EXPECT_EQ(entry->text(), QStringLiteral("7/fwd/c:3=zero"));  // kept for correcting
  const QString shown = panel->message();
  EXPECT_NE(shown.indexOf(QStringLiteral("no layer 7")), -1) << shown.toStdString();
  entry->clear();
  QTest::keyClicks(entry, QStringLiteral("0/fwd/f:3,4=1"));
  QTest::keyClick(entry, Qt::Key_Return);
  EXPECT_EQ(panel->specs(), QStringList{QStringLiteral("0/fwd/f:3,4=1")});
  ASSERT_TRUE(waitForRun());
  EXPECT_EQ(window_.session()->recording()->values(0, 0, Quantity::F).row(3).minCoeff(), 1.0f);
}

TEST_F(InterventionsDock, GenerationContinuesTheTextWithAndWithoutTheInterventions) {
  InterventionsPanel* panel = window_.interventions();
  ASSERT_TRUE(panel->addSpec(QStringLiteral("1/fwd/h:0,1,2,3,4,5,6,7,8,9=1")));
  ASSERT_TRUE(waitForRun());
  window_.pickCurrent(120, 0);
  GenerationPanel* generation = panel->generation();
  generation->setTokens(40);
  QSignalSpy finished(generation, &GenerationPanel::finished);
  QTest::mouseClick(generation->findChild<QPushButton*>(), Qt::LeftButton);
  ASSERT_TRUE(finished.wait(60000)) << generation->status().toStdString();

  // The same as core's generation from the text's first 121 tokens.
  const Model& model = *window_.session()->model();
  const std::vector<int32_t> prompt(window_.recording()->ids.begin(), window_.recording()->ids.begin() + 121);
  std::vector<UnitIntervention> held;
  for (int u = 0; u < 10; ++u) {
    UnitIntervention v;
    v.layer = 1, v.slot = EditSlot::H, v.unit = u, v.firstStep = 0, v.endStep = 161, v.value = 1;
    held.push_back(v);
  }
  GenerationRequest request;
  request.tokens = 40;
  const Generation plain = generate(model, prompt, InterventionPlan(), request);
  const Generation intervened = generate(model, prompt, InterventionPlan(held, model.arch), request);
  const auto text = [&](const Generation& g) {
    std::vector<std::string> tokens;
    for (int32_t id : g.tokens) tokens.push_back(model.arch.vocab.tokens()[static_cast<size_t>(id)]);
    return viz::displayTokens(tokens).join(QString());
  };
  EXPECT_EQ(generation->plainText(), text(plain));
  EXPECT_EQ(generation->intervenedText(), text(intervened));
  EXPECT_NE(plain.tokens, intervened.tokens) << "holding ten hidden units at 1 changed nothing";
  EXPECT_NE(generation->status().indexOf(QStringLiteral("part at generated token")), -1)
      << generation->status().toStdString();

  // Sampled: at a temperature typed in, with a seed, both continuations are core's with the same request.
  auto* temperature = generation->findChild<QDoubleSpinBox*>();
  ASSERT_NE(temperature, nullptr);
  temperature->selectAll();
  QTest::keyClicks(temperature, QStringLiteral("0.8"));
  QTest::keyClick(temperature, Qt::Key_Return);
  EXPECT_DOUBLE_EQ(temperature->value(), 0.8);
  generation->setSeed(7);
  QTest::mouseClick(generation->findChild<QPushButton*>(), Qt::LeftButton);
  ASSERT_TRUE(finished.wait(60000)) << generation->status().toStdString();
  request.temperature = 0.8, request.seed = 7;
  const Generation sampledPlain = generate(model, prompt, InterventionPlan(), request);
  const Generation sampledHeld = generate(model, prompt, InterventionPlan(held, model.arch), request);
  EXPECT_EQ(generation->plainText(), text(sampledPlain));
  EXPECT_EQ(generation->intervenedText(), text(sampledHeld));
  EXPECT_NE(sampledPlain.tokens, plain.tokens) << "sampling at 0.8 drew the greedy continuation: nothing was checked";
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {
    window_.findChild<QDockWidget*>(QStringLiteral("interventions"))->raise();
    window_.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/intervention-generation.png"));
  }
}

}  // namespace
}  // namespace lstmscope::app
