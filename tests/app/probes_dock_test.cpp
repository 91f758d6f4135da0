// The Probes dock (docs/APP.md "Probes"): on the demo, a built-in label ranks every unit in the
// background with the numbers core gives; a click on a ranked unit shows it in the heatmap; the label and
// the probe's prediction become strips under the tokens; a bad pattern is said inline.
#include <gtest/gtest.h>

#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QTextStream>
#include <nlohmann/json.hpp>

#include "app/gui/analysis_session.h"
#include "app/gui/interventions_panel.h"
#include "app/gui/probes_panel.h"
#include "core/analysis/text_labels.h"
#include "core/formats/trace_file.h"
#include "core/probing/probe_study.h"
#include "core/probing/probe_units.h"
#include "core/probing/unit_ranking.h"
#include "tests/app/recorded_corpus.h"
#include "tests/app/test_window.h"
#include "viz/attribution_bar_chart.h"
#include "viz/figure_export.h"
#include "viz/score_lines_chart.h"

namespace lstmscope::app {
namespace {

class ProbesDock : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::openDemoForTest(window_));
    window_.findChild<QDockWidget*>(QStringLiteral("probes"))->raise();
    QApplication::processEvents();
  }
  testing::AssertionResult runAndWait() {
    ProbesPanel* probes = window_.probes();
    QSignalSpy changed(probes, &ProbesPanel::resultChanged);
    QTest::mouseClick(probes->findChild<QPushButton*>(), Qt::LeftButton);
    // A guard against a run that never ends, not a speed check: under ASan on a loaded CI machine the demo's
    // ranking, probes and L1 path take a minute or two.
    if (!changed.wait(600000)) return testing::AssertionFailure() << "no result: " << probes->status().toStdString();
    return testing::AssertionSuccess();
  }
  MainWindow window_;
};

TEST_F(ProbesDock, RanksUnitsAsCoreDoesAndAClickShowsTheUnit) {
  ProbesPanel* probes = window_.probes();
  ASSERT_TRUE(probes->setLabel(QStringLiteral("builtin:quote")));
  ASSERT_TRUE(runAndWait());

  // Core's ranking of the same units (c, the quantity shown, of both layers) against the same label.
  const Recording& r = *window_.recording();
  const ProbeLabel label = makeProbeLabel("builtin:quote", builtinLabel("quote", r.tokens, {0, r.steps}, ""), {});
  std::vector<QuantityRef> which;
  for (int l = 0; l < 2; ++l) which.push_back({l, 0, Quantity::C});
  const UnitRanking expected = rankUnits(
      which, [&](const QuantityRef& q) { return r.values(q.layer, q.direction, q.quantity); }, label,
      RankingMetric::Auc, 1);
  QTableWidget* table = probes->rankingTable();
  ASSERT_EQ(table->rowCount(), static_cast<int>(std::min<size_t>(expected.ranked.size(), 1000)));
  for (int row = 0; row < 5; ++row) {
    const RankedUnit& e = expected.ranked[static_cast<size_t>(row)];
    EXPECT_EQ(table->item(row, 1)->text(), QStringLiteral("%1/fwd/c · %2").arg(e.where.layer).arg(e.unit));
    EXPECT_DOUBLE_EQ(table->item(row, 2)->data(Qt::DisplayRole).toDouble(), e.score.score);
  }
  EXPECT_TRUE(probes->summary().contains(QStringLiteral("selectivity"))) << probes->summary().toStdString();
  EXPECT_TRUE(probes->status().contains(QStringLiteral("binary label"))) << probes->status().toStdString();

  // The label and the probe's prediction are strips under the tokens, one value per step shown.
  const std::vector<viz::MetaStrip>& strips = window_.heatmap()->metaStrips();
  ASSERT_EQ(strips.size(), 2u);
  EXPECT_EQ(strips[0].style.name, QStringLiteral("label"));
  EXPECT_EQ(strips[1].style.name, QStringLiteral("probe"));
  ASSERT_EQ(strips[0].values.size(), static_cast<size_t>(r.steps));
  for (long t = 0; t < r.steps; ++t)
    ASSERT_EQ(strips[0].values[static_cast<size_t>(t)], label.values[static_cast<size_t>(t)]);

  // The chart: the strongest units' AUC - 0.5, in rank order, exported like any view.
  const viz::AttributionBarChart* chart = probes->rankingChart();
  ASSERT_EQ(chart->barCount(), 20);
  // probeRanking exports that figure and, as numbers, every ranked unit (not only the 20 bars), as the
  // command writes them.
  viz::ExportableView* exported = window_.exportableView(QStringLiteral("probeRanking"));
  ASSERT_EQ(exported, probes->rankingExport());
  const test::ScratchDir dir("probes_dock_export");
  const QString csvPath = QString::fromStdString(dir.file("ranking.csv"));
  const QString jsonPath = QString::fromStdString(dir.file("ranking.json"));
  EXPECT_EQ(viz::exportView(*exported, csvPath, {}), QString());
  EXPECT_EQ(viz::exportView(*exported, jsonPath, {}), QString());
  QFile csvFile(csvPath);
  ASSERT_TRUE(csvFile.open(QIODevice::ReadOnly));
  const QList<QByteArray> csvLines = csvFile.readAll().trimmed().split('\n');
  ASSERT_EQ(csvLines.size(), static_cast<qsizetype>(expected.ranked.size()) + 1);
  EXPECT_EQ(csvLines[0], "rank,layer,direction,quantity,unit,score,sign,category,threshold");
  EXPECT_TRUE(csvLines[1].startsWith(
      QStringLiteral("1,%1,fwd,c,%2,").arg(expected.ranked[0].where.layer).arg(expected.ranked[0].unit).toUtf8()))
      << csvLines[1].toStdString();
  QFile jsonFile(jsonPath);
  ASSERT_TRUE(jsonFile.open(QIODevice::ReadOnly));
  const auto doc = nlohmann::json::parse(jsonFile.readAll().toStdString());
  EXPECT_EQ(doc["label"], "builtin:quote");
  EXPECT_EQ(doc["metric"], "auc");
  ASSERT_EQ(doc["ranking"].size(), expected.ranked.size());
  EXPECT_EQ(doc["ranking"].back()["score"].get<double>(), expected.ranked.back().score.score);

  // A click on the second-ranked unit makes it the heatmap's layer, quantity and current unit.
  const RankedUnit& second = expected.ranked[1];
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(1, 1)).center());
  EXPECT_EQ(window_.state().layer, second.where.layer);
  EXPECT_EQ(window_.state().quantity, Quantity::C);
  EXPECT_EQ(window_.state().currentUnit, second.unit);
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {
    ASSERT_TRUE(test::waitForHeatmapFrame(window_));
    window_.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/probes_quote.png"));
    viz::FigureExportOptions o;
    o.size = QSize(1500, 700);
    o.dpi = 150;
    EXPECT_EQ(viz::exportView(*probes->rankingChart(),
                              qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/probes_chart.png"), o),
              QString());
  }
}

// The probing curve and the L1 path tabs draw what core computes for the same label, split and control task
// (bracket depth: ridge probes per layer and both together, the lasso's path for the best), and export.
TEST_F(ProbesDock, ChartsTheProbingCurveAndTheL1PathAsCoreComputesThem) {
  ProbesPanel* probes = window_.probes();
  ASSERT_TRUE(probes->setLabel(QStringLiteral("builtin:bracket-depth")));
  ASSERT_TRUE(runAndWait());

  const Recording& r = *window_.recording();
  const ProbeLabel label =
      makeProbeLabel("builtin:bracket-depth", builtinLabel("bracket-depth", r.tokens, {0, r.steps}, ""), {});
  const QuantityValues read = [&](const QuantityRef& q) { return r.values(q.layer, q.direction, q.quantity); };
  const ProbeSplit split = splitByDocuments({0, r.steps});
  const std::vector<double> control = controlLabels(label, r.tokens, 1);
  // Kept: the clicks below run the text again, which replaces the recording `r` refers to.
  const std::vector<int> hidden{r.hidden(0), r.hidden(1)};
  ProbeSettings settings;  // ridge, alpha 1: the default for a number label
  std::vector<ProbeOutcome> curve;
  for (const int layer : {0, 1, -1})
    curve.push_back(runProbe(layer, Quantity::C, {1, 1}, read, label, control, split, settings));

  // The curve: c's test scores at layers 0, 1 and "all", its control task dashed.
  const viz::ScoreChartContent& shown = probes->curveChart()->content();
  EXPECT_EQ(shown.xNames, (std::vector<QString>{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("all")}));
  ASSERT_EQ(shown.lines.size(), 2u);
  EXPECT_EQ(shown.lines[0].name, QStringLiteral("c"));
  EXPECT_TRUE(shown.lines[1].dashed);
  ASSERT_EQ(shown.lines[0].points.size(), 3u);
  size_t best = 0;
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(shown.lines[0].points[k], QPointF(static_cast<double>(k), curve[k].testScore)) << k;
    EXPECT_EQ(shown.lines[1].points[k], QPointF(static_cast<double>(k), curve[k].controlScore)) << k;
    if (curve[k].testScore > curve[best].testScore) best = k;
  }

  // The L1 path of the best probe: each point's units and refit score, the full score and its 95 %.
  const L1Path path =
      runL1Path(curve[best].layer, Quantity::C, {1, 1}, read, label, split, settings, curve[best].testScore);
  ASSERT_FALSE(path.points.empty());
  const viz::ScoreChartContent& l1 = probes->l1Chart()->content();
  ASSERT_EQ(l1.lines.size(), 2u);
  ASSERT_EQ(l1.lines[0].points.size(), path.points.size());
  for (size_t k = 0; k < path.points.size(); ++k)
    EXPECT_EQ(l1.lines[0].points[k], QPointF(static_cast<double>(path.points[k].units), path.points[k].refitTestScore))
        << k;
  ASSERT_EQ(l1.references.size(), 2u);
  EXPECT_EQ(l1.references[0].y, curve[best].testScore);
  EXPECT_EQ(l1.references[1].y, path.target);
  if (path.unitsFor95 > 0) {
    EXPECT_TRUE(probes->summary().contains(QStringLiteral("L1 path: %1 of the").arg(path.unitsFor95)))
        << probes->summary().toStdString();
  }

  // Both export like any view: the curve's CSV names its layers.
  EXPECT_EQ(window_.exportableView(QStringLiteral("probeCurve")), probes->curveChart());
  EXPECT_EQ(window_.exportableView(QStringLiteral("probeL1Path")), probes->l1Chart());
  QString csv;
  QTextStream out(&csv);
  probes->curveChart()->writeCsv(out);
  EXPECT_TRUE(csv.startsWith(QStringLiteral("series,x,y\n\"c\",\"0\",") + QString::number(curve[0].testScore, 'g', 17)))
      << csv.toStdString();

  // "Ablate them" hands the L1 path's units to the Interventions dock, set to their mean; the text is run
  // again under them.
  std::vector<int> directions{1, 1};
  QStringList expectedSpecs;
  for (const InterventionSpec& spec :
       meanAblationSpecs(path.featuresFor95, probeFeatureUnits(curve[best].layer, directions, hidden), Quantity::C,
                         {{"fwd"}, {"fwd"}}))
    expectedSpecs << QString::fromStdString(spec.text());
  ASSERT_GT(path.unitsFor95, 0);
  EXPECT_EQ(probes->l1Ablation(), expectedSpecs);
  QPushButton* ablate = nullptr;
  for (QPushButton* b : probes->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Ablate them")) ablate = b;
  ASSERT_NE(ablate, nullptr);
  ASSERT_TRUE(ablate->isEnabled());
  QSignalSpy rerun(&window_, &MainWindow::analysisShown);
  QTest::mouseClick(ablate, Qt::LeftButton);
  EXPECT_EQ(window_.interventions()->specs(), expectedSpecs);
  for (int k = 0; k < 6000 && (window_.session()->busy() || rerun.isEmpty()); ++k) QTest::qWait(10);
  EXPECT_FALSE(rerun.isEmpty()) << "the text was not run again under the interventions";
  EXPECT_FALSE(window_.session()->interventions().empty());
  // A second click lists nothing twice.
  QTest::mouseClick(ablate, Qt::LeftButton);
  EXPECT_EQ(window_.interventions()->specs(), expectedSpecs);

  // "Steer along it" adds one shift per kept unit along the probe refitted on them (numbers: the label's
  // standard deviation); the text is run again under both.
  QStringList steering;
  for (const InterventionSpec& spec :
       steeringSpecs(path.featuresFor95, path.probeFor95.weights.row(0).transpose(), path.steeringShift,
                     probeFeatureUnits(curve[best].layer, directions, hidden), Quantity::C, {{"fwd"}, {"fwd"}}))
    steering << QString::fromStdString(spec.text());
  ASSERT_FALSE(steering.isEmpty());
  EXPECT_EQ(probes->l1Steering(), steering);
  QPushButton* steer = nullptr;
  for (QPushButton* b : probes->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Steer along it")) steer = b;
  ASSERT_NE(steer, nullptr);
  ASSERT_TRUE(steer->isEnabled()) << steer->toolTip().toStdString();
  EXPECT_TRUE(steer->toolTip().contains(QStringLiteral("refitted"))) << steer->toolTip().toStdString();
  for (int k = 0; k < 6000 && window_.session()->busy(); ++k) QTest::qWait(10);
  rerun.clear();
  QTest::mouseClick(steer, Qt::LeftButton);
  EXPECT_EQ(window_.interventions()->specs(), expectedSpecs + steering);
  for (int k = 0; k < 6000 && (window_.session()->busy() || rerun.isEmpty()); ++k) QTest::qWait(10);
  EXPECT_FALSE(rerun.isEmpty()) << "the text was not run again under the steering";
  // The dock names the first three interventions applied and counts the rest.
  const QString applied = window_.interventions()->message();
  EXPECT_TRUE(applied.startsWith(QStringLiteral("Applied: ") + expectedSpecs.front())) << applied.toStdString();
  const qsizetype more = expectedSpecs.size() + steering.size() - 3;
  if (more > 0) {
    EXPECT_TRUE(applied.endsWith(QStringLiteral(" and %1 more (hover for all)").arg(more))) << applied.toStdString();
  }
  // "Steer (all units)" shifts every unit the best probe reads along the probe itself (core's probe of the
  // same split, its shift the label's standard deviation): one spec per unit, added after the others.
  QStringList wholeProbe;
  std::vector<long> every(static_cast<size_t>(curve[best].features));
  for (size_t j = 0; j < every.size(); ++j) every[j] = static_cast<long>(j);
  for (const InterventionSpec& spec :
       steeringSpecs(every, curve[best].probe.weights.row(0).transpose(), curve[best].steeringShift,
                     probeFeatureUnits(curve[best].layer, directions, hidden), Quantity::C, {{"fwd"}, {"fwd"}}))
    wholeProbe << QString::fromStdString(spec.text());
  ASSERT_GT(wholeProbe.size(), steering.size());
  QPushButton* steerAll = nullptr;
  for (QPushButton* b : probes->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Steer (all units)")) steerAll = b;
  ASSERT_NE(steerAll, nullptr);
  ASSERT_TRUE(steerAll->isEnabled()) << steerAll->toolTip().toStdString();
  EXPECT_TRUE(steerAll->toolTip().contains(QStringLiteral("all %1 units").arg(wholeProbe.size())))
      << steerAll->toolTip().toStdString();
  for (int k = 0; k < 6000 && window_.session()->busy(); ++k) QTest::qWait(10);
  rerun.clear();
  QTest::mouseClick(steerAll, Qt::LeftButton);
  EXPECT_EQ(window_.interventions()->specs(), expectedSpecs + steering + wholeProbe);
  for (int k = 0; k < 6000 && (window_.session()->busy() || rerun.isEmpty()); ++k) QTest::qWait(10);
  EXPECT_FALSE(rerun.isEmpty()) << "the text was not run again under the whole probe's steering";
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    window_.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/probes_steered_window.png"));
  // Run again under interventions, the text is still the input the ranking belongs to: its strips stay.
  EXPECT_EQ(window_.heatmap()->metaStrips().size(), 2u);  // the label and the probe's prediction
  // Another text is another input: the buttons are withdrawn and say why, and the strips go.
  for (int k = 0; k < 6000 && window_.session()->busy(); ++k) QTest::qWait(10);
  rerun.clear();
  window_.session()->setInput(QStringLiteral("x = [1, (2, 3)]\n"));
  ASSERT_TRUE(window_.session()->analyse());
  for (int k = 0; k < 6000 && (window_.session()->busy() || rerun.isEmpty()); ++k) QTest::qWait(10);
  ASSERT_FALSE(rerun.isEmpty());
  EXPECT_FALSE(steer->isEnabled());
  EXPECT_FALSE(steerAll->isEnabled());
  EXPECT_FALSE(ablate->isEnabled());
  EXPECT_TRUE(steer->toolTip().contains(QStringLiteral("another analysis"))) << steer->toolTip().toStdString();
  EXPECT_TRUE(window_.heatmap()->metaStrips().empty());

  // A click on the tab shows the curve.
  QTabBar* tabs = probes->views()->tabBar();
  QTest::mouseClick(tabs, Qt::LeftButton, {}, tabs->tabRect(2).center());
  EXPECT_EQ(probes->views()->currentWidget(), probes->curveChart());
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {
    const QString shots = qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS");
    window_.grab().save(shots + QStringLiteral("/probes_curve_window.png"));
    viz::FigureExportOptions o;
    o.size = QSize(1200, 700);
    o.dpi = 150;
    EXPECT_EQ(viz::exportView(*probes->curveChart(), shots + QStringLiteral("/probes_curve.png"), o), QString());
    EXPECT_EQ(viz::exportView(*probes->l1Chart(), shots + QStringLiteral("/probes_l1.png"), o), QString());
    EXPECT_EQ(viz::exportView(*probes->l1Chart(), shots + QStringLiteral("/probes_l1.pdf"), o), QString());
  }
}

TEST_F(ProbesDock, ABadPatternIsSaidInlineAndNothingRuns) {
  ProbesPanel* probes = window_.probes();
  ASSERT_TRUE(probes->setLabel(QStringLiteral("regex:((")));
  QTest::mouseClick(probes->findChild<QPushButton*>(), Qt::LeftButton);
  EXPECT_FALSE(probes->busy());
  EXPECT_TRUE(probes->status().contains(QStringLiteral("The regular expression is invalid")))
      << probes->status().toStdString();
  EXPECT_FALSE(probes->hasResult());
  // A pattern that matches: a 0/1 label ranked by AUC.
  probes->findChild<QLineEdit*>()->setText(QStringLiteral("def [a-z_]+"));
  ASSERT_TRUE(runAndWait());
  EXPECT_TRUE(probes->hasResult());
  EXPECT_GT(probes->rankingTable()->rowCount(), 0);
}

// On an open trace: the whole trace is ranked (not the window shown), its meta tracks are labels, and the
// strips under the tokens are the window's slice of the label.
TEST(ProbesDockOnATrace, RanksTheWholeTraceAgainstItsMetaTrack) {
  MainWindow window;
  test::prepareForTest(window);
  const test::ScratchDir dir("probes_dock_trace");
  const test::Corpus corpus = test::recordCorpus(dir);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  ASSERT_TRUE(window.openTrace(QString::fromStdString(corpus.trace)));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  ProbesPanel* probes = window.probes();
  ASSERT_TRUE(probes->setLabel(QStringLiteral("meta:depth")));
  QSignalSpy changed(probes, &ProbesPanel::resultChanged);
  QTest::mouseClick(probes->findChild<QPushButton*>(), Qt::LeftButton);
  ASSERT_TRUE(changed.wait(60000)) << probes->status().toStdString();
  EXPECT_TRUE(probes->status().contains(QStringLiteral("over 400 steps"))) << probes->status().toStdString();
  EXPECT_TRUE(probes->status().contains(QStringLiteral("11 units")))
      << probes->status().toStdString();  // 5 + 6 units of c
  const TraceReader trace(corpus.trace);
  const MetaTrack depth = trace.meta("depth");
  const long first = window.session()->firstTraceStep(), count = window.recording()->steps;
  const std::vector<viz::MetaStrip>& strips = window.heatmap()->metaStrips();
  ASSERT_EQ(strips.size(), 3u);  // the trace's own depth track, then the label and the probe
  EXPECT_EQ(strips[1].style.name, QStringLiteral("label"));
  for (long k = 0; k < count; ++k)
    ASSERT_EQ(strips[1].values[static_cast<size_t>(k)], depth.values[static_cast<size_t>(first + k)]) << k;
  // Interventions do not apply to a trace window: neither button is offered, and each says why.
  for (QPushButton* b : probes->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Ablate them") || b->text() == QStringLiteral("Steer along it")) {
      EXPECT_FALSE(b->isEnabled());
      EXPECT_TRUE(b->toolTip().contains(QStringLiteral("not to a trace"))) << b->toolTip().toStdString();
    }
}

}  // namespace
}  // namespace lstmscope::app
