// The Effects dock (docs/APP.md "Interventions"): for the prediction at the current step and the quantity
// the heatmap shows, the ablation bars, the unit x step ablation map and the patching map, computed in the
// background, equal to core's numbers, and linked: a click on a map cell makes it current everywhere.
#include <gtest/gtest.h>

#include <QApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextStream>
#include <QtCharts/QBarCategoryAxis>
#include <algorithm>

#include "app/gui/effects_panel.h"
#include "core/intervention/ablation.h"
#include "core/intervention/patching.h"
#include "tests/app/test_window.h"
#include "viz/attribution_bar_chart.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_view.h"

namespace lstmscope::app {
namespace {

class EffectsDock : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::openDemoForTest(window_));
    window_.controls()->setLayer(1);
    window_.controls()->setQuantity(Quantity::C);
    emit window_.controls()->changed();
    window_.pickCurrent(100, 0);
  }
  // Clicks Run as a user does and waits for the result.
  testing::AssertionResult runAndWait(EffectsPanel::Kind kind) {
    EffectsPanel* effects = window_.effects();
    effects->setKind(kind);
    QSignalSpy finished(effects, &EffectsPanel::finished);
    QTest::mouseClick(effects->findChild<QPushButton*>(), Qt::LeftButton);
    if (!finished.wait(120000)) return testing::AssertionFailure() << "no result: " << effects->status().toStdString();
    if (!effects->hasResult()) return testing::AssertionFailure() << effects->status().toStdString();
    return testing::AssertionSuccess();
  }
  Inputs<float> inputs() const {
    const Recording& r = *window_.recording();
    Inputs<float> in;
    in.steps = static_cast<int>(r.steps);
    in.tokens = r.ids;
    return in;
  }
  MainWindow window_;
};

TEST_F(EffectsDock, AblationBarsAndMapAreCoresNumbersAndAClickGoesThere) {
  const Model& model = *window_.session()->model();
  const InterventionTarget target = defaultTarget(model, inputs(), 100);
  EXPECT_EQ(target.output, window_.recording()->ids[101]);  // the next character's log-probability

  ASSERT_TRUE(runAndWait(EffectsPanel::Kind::Sweep));
  AblationRequest sweep;
  sweep.layer = 1;
  const AblationEffects expected = ablationSweep(model, inputs(), target, sweep);
  std::vector<double> largestFirst = expected.effects;
  std::sort(largestFirst.begin(), largestFirst.end(), [](double a, double b) { return std::abs(a) > std::abs(b); });
  const viz::AttributionBarChart* bars = window_.effects()->bars();
  ASSERT_EQ(bars->barCount(), viz::AttributionBarChart::kMaxBars);
  QString csv;
  QTextStream out(&csv);
  bars->writeCsv(out);
  const QStringList rows = csv.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  ASSERT_EQ(rows.size(), 61);  // header and 60 bars
  EXPECT_EQ(rows[0], QStringLiteral("rank,unit,effect"));
  for (int k = 0; k < 60; ++k)
    EXPECT_DOUBLE_EQ(rows[k + 1].section(QLatin1Char(','), 2).toDouble(), largestFirst[static_cast<size_t>(k)]) << k;
  // On screen each bar is labelled by its unit ("unit 17"), as the CSV's unit column says.
  auto* axis = qobject_cast<QBarCategoryAxis*>(bars->chart()->axes(Qt::Horizontal).constFirst());
  ASSERT_NE(axis, nullptr);
  EXPECT_EQ(axis->categories().value(0),
            QStringLiteral("unit ") + rows[1].section(QLatin1Char(','), 1, 1).remove(QLatin1Char('"')));
  EXPECT_EQ(axis->categories().value(59),
            QStringLiteral("unit ") + rows[60].section(QLatin1Char(','), 1, 1).remove(QLatin1Char('"')));
  EXPECT_NE(window_.effects()->status().indexOf(QStringLiteral("1/fwd/c")), -1)
      << window_.effects()->status().toStdString();

  ASSERT_TRUE(runAndWait(EffectsPanel::Kind::Map));
  // The map's last steps (each unit and step is its own run: a few of them check the whole computation).
  AblationRequest map;
  map.layer = 1, map.firstStep = 96, map.endStep = 101;
  const AblationEffects expectedMap = ablationMap(model, inputs(), target, map);
  const viz::HeatmapView* view = window_.effects()->map();
  ASSERT_NE(view->data(), nullptr);
  const Mat<float>& shown = view->data()->values();
  ASSERT_EQ(shown.rows(), 256);
  ASSERT_EQ(shown.cols(), 60);  // steps 41-100
  EXPECT_LE((shown.rightCols(5) - expectedMap.map.cast<float>()).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_NE(shown.col(59).cwiseAbs().maxCoeff(), 0.0f);
  EXPECT_EQ(view->figureTitle().indexOf(QStringLiteral("set to zero at one step")) >= 0, true)
      << view->figureTitle().toStdString();

  // A click on a cell of the map: that unit and step are current in the window's views.
  emit window_.effects()->map()->currentPicked(10, 42);
  EXPECT_EQ(window_.state().currentStep, 51);
  EXPECT_EQ(window_.state().currentUnit, 42);

  // Sorted: the rows run from the unit with the largest effect at any step down; back to unit order.
  EXPECT_EQ(view->rowUnits().front(), 0);
  window_.effects()->setLargestEffectFirst(true);
  const std::vector<int>& sorted = view->rowUnits();
  ASSERT_EQ(sorted.size(), 256u);
  const Eigen::VectorXf largest = shown.cwiseAbs().rowwise().maxCoeff();
  Eigen::Index top = 0;
  largest.maxCoeff(&top);
  EXPECT_EQ(sorted.front(), static_cast<int>(top));
  for (size_t k = 1; k < sorted.size(); ++k) EXPECT_GE(largest[sorted[k - 1]], largest[sorted[k]]) << k;
  window_.effects()->setLargestEffectFirst(false);
  EXPECT_EQ(view->rowUnits().front(), 0);
  EXPECT_EQ(view->rowUnits().back(), 255);
}

// With steps brushed up to the target, the map covers the brushed steps: the range a user chose to study.
TEST_F(EffectsDock, TheMapCoversTheBrushedSteps) {
  window_.brushSteps({80, 84});
  window_.pickCurrent(100, 0);
  ASSERT_TRUE(runAndWait(EffectsPanel::Kind::Map));
  const Model& model = *window_.session()->model();
  AblationRequest request;
  request.layer = 1, request.firstStep = 80, request.endStep = 84;
  const AblationEffects expected = ablationMap(model, inputs(), defaultTarget(model, inputs(), 100), request);
  const viz::HeatmapView* view = window_.effects()->map();
  const Mat<float>& shown = view->data()->values();
  ASSERT_EQ(shown.cols(), 4);
  EXPECT_LE((shown - expected.map.cast<float>()).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_NE(shown.cwiseAbs().maxCoeff(), 0.0f);
  EXPECT_NE(view->figureTitle().indexOf(QStringLiteral("steps 80–83")), -1) << view->figureTitle().toStdString();
  // Its axes, hover label and exported numbers give the steps' own numbers, not the map's columns.
  EXPECT_EQ(view->firstStepNumber(), 80);
  QString csv;
  QTextStream out(&csv);
  view->writeCsv(out);
  const QStringList rows = csv.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  ASSERT_EQ(rows.size(), 5);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(rows[k + 1].section(QLatin1Char(','), 0, 0).toLong(), 80 + k);
    EXPECT_EQ(rows[k + 1].section(QLatin1Char(','), 2, 2).toFloat(), shown(0, k)) << k;
  }
  emit window_.effects()->map()->currentPicked(3, 5);
  EXPECT_EQ(window_.state().currentStep, 83);
}

// A target token that is whitespace is named as the heatmap shows it (after "b" at step 16 of the demo
// comes a newline): "↵", never a line break in the title.
TEST_F(EffectsDock, AWhitespaceTargetIsNamedAsShown) {
  ASSERT_EQ(window_.recording()->tokens[17], "\n");
  window_.pickCurrent(16, 0);
  ASSERT_TRUE(runAndWait(EffectsPanel::Kind::Sweep));
  const QString status = window_.effects()->status();
  EXPECT_NE(status.indexOf(QStringLiteral("(“↵”)")), -1) << status.toStdString();
  EXPECT_EQ(status.indexOf(QLatin1Char('\n')), -1) << status.toStdString();
  EXPECT_EQ(window_.effects()->bars()->figureTitle().indexOf(QLatin1Char('\n')), -1);
}

TEST_F(EffectsDock, PatchingTheBrushedStepsIsCoresMap) {
  window_.brushSteps({95, 98});
  window_.pickCurrent(100, 0);
  window_.effects()->setCorruption(QStringLiteral("xyz"));
  ASSERT_TRUE(runAndWait(EffectsPanel::Kind::Patch));
  const Model& model = *window_.session()->model();
  const Inputs<float> clean = inputs();
  Inputs<float> corrupt = clean;
  for (int k = 0; k < 3; ++k) corrupt.tokens[95 + k] = model.arch.vocab.idOf(std::string(1, "xyz"[k]));
  // The map runs from the first corrupted step (before it nothing differs) to the target.
  PatchRequest request;
  request.layer = 1, request.quantity = Quantity::C, request.firstStep = 95, request.endStep = 101;
  const PatchMap expected = patchMap(model, clean, corrupt, defaultTarget(model, clean, 100), request);
  const Mat<float>& shown = window_.effects()->map()->data()->values();
  ASSERT_EQ(shown.cols(), 6);
  EXPECT_LE((shown - expected.restored.transpose().cast<float>()).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_NE(window_.effects()->map()->figureTitle().indexOf(QStringLiteral("steps 95–100")), -1)
      << window_.effects()->map()->figureTitle().toStdString();
  emit window_.effects()->map()->currentPicked(2, 7);  // map column 2 is step 97
  EXPECT_EQ(window_.state().currentStep, 97);
  EXPECT_EQ(window_.state().currentUnit, 7);

  // A target before the corrupted steps: nothing to restore there, said inline.
  window_.pickCurrent(90, 0);
  {
    QSignalSpy refused(window_.effects(), &EffectsPanel::finished);
    window_.effects()->run();
    ASSERT_TRUE(refused.wait(60000));
    EXPECT_NE(window_.effects()->status().indexOf(QStringLiteral("comes before the corrupted steps (95–97)")), -1)
        << window_.effects()->status().toStdString();
  }
  window_.pickCurrent(100, 0);

  // Too few tokens for the brushed steps: said inline, nothing computed.
  window_.effects()->setCorruption(QStringLiteral("xy"));
  window_.effects()->setKind(EffectsPanel::Kind::Patch);
  QSignalSpy finished(window_.effects(), &EffectsPanel::finished);
  window_.effects()->run();
  ASSERT_TRUE(finished.wait(60000));
  EXPECT_NE(window_.effects()->status().indexOf(QStringLiteral("3 steps are brushed")), -1)
      << window_.effects()->status().toStdString();
}

}  // namespace
}  // namespace lstmscope::app
