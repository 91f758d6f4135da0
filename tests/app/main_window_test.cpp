// The desktop app driven as a user would, offscreen: open the demo, select, click, zoom, switch views and
// export, checking the resulting state and the pixels on screen.
#include "app/gui/main_window.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include "app/gui/analysis_session.h"
#include "app/gui/effects_panel.h"
#include "app/gui/match_panel.h"
#include "app/gui/probes_panel.h"
#include "core/analysis/selection.h"
#include "core/analysis/statistics.h"
#include "core/analysis/text_properties.h"
#include "tests/app/test_window.h"
#include "viz/figure_export.h"

namespace lstmscope::app {
namespace {

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

class MainWindowTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::openDemoForTest(window_)); }

  // Waits until the heatmap shows a frame for its current viewport.
  void waitForFrame() {
    for (int k = 0; k < 500 && !window_.heatmap()->frameIsCurrent(); ++k) QTest::qWait(10);
    ASSERT_TRUE(window_.heatmap()->frameIsCurrent());
    QApplication::processEvents();
  }

  const Mat<float>& shownValues() const { return window_.heatmap()->data()->values(); }

  MainWindow window_;
};

TEST_F(MainWindowTest, OpensTheDemoAnalysed) {
  const Recording* r = window_.recording();
  ASSERT_NE(r, nullptr);
  QFile sample(QStringLiteral(LSTMSCOPE_SOURCE_DIR "/resources/demo/sample.py"));
  ASSERT_TRUE(sample.open(QIODevice::ReadOnly));
  EXPECT_EQ(r->steps, QString::fromUtf8(sample.readAll()).size());  // one step per character
  EXPECT_EQ(r->arch.layers.size(), 2u);
  // The default view: tanh of the last layer's cell state (Karpathy et al.).
  EXPECT_EQ(window_.state().layer, 1);
  EXPECT_EQ(window_.state().quantity, Quantity::C);
  EXPECT_TRUE(window_.state().squashed);
  const Mat<float> expected = r->values(1, 0, Quantity::C).array().tanh().matrix();
  EXPECT_TRUE(shownValues().isApprox(expected, 1e-6f));
  EXPECT_TRUE(window_.lastError().isEmpty());
}

// First impression: the window opens on the unit that best tracks a structure of the
// sample, at a step with context in the first window, says so, and hints at brushing.
TEST_F(MainWindowTest, OpensOnTheUnitThatTracksTheTextAtAStepWithContext) {
  const Recording* r = window_.recording();
  const Mat<double> cells = r->values(1, 0, Quantity::C).array().tanh().matrix().cast<double>();
  const std::vector<TextProperty> properties = textProperties(r->tokens);
  // Every unit's |Pearson r| with every property, written out here: the chosen unit has the largest.
  double best = 0;
  int bestUnit = -1;
  for (long u = 0; u < cells.rows(); ++u)
    for (const TextProperty& p : properties) {
      const Vec<double> x = cells.row(u).transpose().array() - cells.row(u).mean();
      const Vec<double> y = p.values.array() - p.values.mean();
      const double rho = x.dot(y) / std::sqrt(x.squaredNorm() * y.squaredNorm());
      if (std::isfinite(rho) && std::abs(rho) > best) best = std::abs(rho), bestUnit = static_cast<int>(u);
    }
  ASSERT_GE(best, kTrackingCorrelation);
  EXPECT_EQ(window_.state().currentUnit, bestUnit);
  EXPECT_NEAR(std::abs(window_.session()->result()->highlight.correlation), best, 1e-6);
  EXPECT_GE(window_.state().currentStep, 10);
  EXPECT_LT(window_.state().currentStep, 40);
  EXPECT_EQ(window_.textColours()->unit(), bestUnit);
  const QString status = window_.statusBar()->currentMessage();
  EXPECT_TRUE(status.contains(QStringLiteral("Unit %1 of layer 1 tracks").arg(bestUnit))) << status.toStdString();
  EXPECT_TRUE(status.contains(QStringLiteral("Drag across steps"))) << status.toStdString();
  // The attribution explains the prediction at that step, not at step 0.
  EXPECT_EQ(window_.attribution()->target().step, window_.state().currentStep);
}

TEST_F(MainWindowTest, PixelsAreTheColourOfTheRecordedValues) {
  window_.controls()->setQuantity(Quantity::F);  // a gate: sequential map on [0, 1]
  window_.controls()->setUnitFilter(QStringLiteral("0-15"));
  emit window_.controls()->changed();
  window_.heatmap()->showSteps(200, 60);
  waitForFrame();
  const viz::HeatmapView* view = window_.heatmap();
  EXPECT_EQ(view->rowUnits().size(), 16u);
  EXPECT_EQ(&view->data()->values(), &window_.recording()->values(1, 0, Quantity::F));
  EXPECT_DOUBLE_EQ(view->scale().low(), 0);
  EXPECT_DOUBLE_EQ(view->scale().high(), 1);
  const QImage shot = window_.heatmap()->grab().toImage();
  const auto& vp = view->viewport();
  int checked = 0;
  for (long step : {201L, 215L, 230L, 258L})
    for (long row : {0L, 5L, 15L}) {
      const int x = view->plotRect().left() + static_cast<int>(vp.xOfStep(step + 0.5));
      const int y = view->plotRect().top() + static_cast<int>(vp.yOfRow(row + 0.5));
      if (step == window_.state().currentStep) continue;  // the current-step marker is drawn over it
      const float value = window_.recording()->values(1, 0, Quantity::F)(view->rowUnits()[row], step);
      EXPECT_EQ(shot.pixel(x, y) & 0xffffff, view->scale().colourOf(value) & 0xffffff)
          << "step " << step << " row " << row << " value " << value;
      ++checked;
    }
  EXPECT_EQ(checked, 12);
}

TEST_F(MainWindowTest, BrushSelectsUnitsByLstmVisRule) {
  window_.brushSteps({100, 108});
  BrushQuery q;
  q.first = 100, q.end = 108, q.offBefore = 1, q.offAfter = 0, q.threshold = 0.3;
  std::vector<int> expected;
  for (const SelectedUnit& s : selectUnits(shownValues(), q)) expected.push_back(s.unit);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(window_.state().selectedUnits, expected);
  EXPECT_EQ(window_.trajectories()->lineCount(),
            static_cast<int>(expected.size()) +
                (std::count(expected.begin(), expected.end(), window_.state().currentUnit) ? 0 : 1));
  // Dragging the threshold line re-runs the rule with the new threshold.
  window_.setThreshold(0.8);
  q.threshold = 0.8;
  std::vector<int> strict;
  for (const SelectedUnit& s : selectUnits(shownValues(), q)) strict.push_back(s.unit);
  EXPECT_EQ(window_.state().selectedUnits, strict);
  EXPECT_NE(strict, expected);
  // Sorting by match score puts the selected units first, best first.
  window_.controls()->setOrder(UnitOrder::MatchScore);
  const auto& rows = window_.heatmap()->rowUnits();
  for (size_t k = 0; k < window_.state().selectedUnits.size(); ++k)
    EXPECT_EQ(rows[k], window_.state().selectedUnits[k]);
}

TEST_F(MainWindowTest, ClickingAUnitLabelTogglesIt) {
  viz::HeatmapView* view = window_.heatmap();
  window_.controls()->setUnitFilter(QStringLiteral("0-19"));
  emit window_.controls()->changed();
  const auto& vp = view->viewport();
  const QPoint label(view->plotRect().left() - 20, view->plotRect().top() + static_cast<int>(vp.yOfRow(7.5)));
  QTest::mouseClick(view, Qt::LeftButton, {}, label);
  EXPECT_EQ(window_.state().selectedUnits, std::vector<int>{7});
  QTest::mouseClick(view, Qt::LeftButton, {}, label);
  EXPECT_TRUE(window_.state().selectedUnits.empty());
  // A click in the plot picks the step and unit under the mouse.
  const long target = static_cast<long>(std::ceil(vp.firstStep)) + 12;
  const QPoint cell(view->plotRect().left() + static_cast<int>(vp.xOfStep(target + 0.5)),
                    view->plotRect().top() + static_cast<int>(vp.yOfRow(3.5)));
  QTest::mouseClick(view, Qt::LeftButton, {}, cell);
  EXPECT_EQ(window_.state().currentStep, target);
  EXPECT_EQ(window_.state().currentUnit, 3);
}

TEST_F(MainWindowTest, WheelZoomsAroundTheMouseAndKeysMoveTheCurrentStep) {
  viz::HeatmapView* view = window_.heatmap();
  const double before = view->viewport().visibleSteps;
  const QPointF at(view->plotRect().left() + 200, view->plotRect().top() + 50);
  const double stepUnderMouse = view->viewport().stepAtX(200);
  QWheelEvent wheel(at, view->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(view, &wheel);
  EXPECT_NEAR(view->viewport().visibleSteps, before / (1.25 * 1.25), 1e-9);
  EXPECT_NEAR(view->viewport().stepAtX(200), stepUnderMouse, 1e-9);
  window_.pickCurrent(10, 4);
  view->setFocus();
  QTest::keyClick(view, Qt::Key_Right);
  EXPECT_EQ(window_.state().currentStep, 11);
  QTest::keyClick(view, Qt::Key_Down);
  EXPECT_EQ(window_.state().currentUnit, 5);
  // The text colouring view flips units with Up/Down and follows the current step.
  QTest::keyClick(window_.textColours(), Qt::Key_Down);
  EXPECT_EQ(window_.state().currentUnit, 6);
  EXPECT_EQ(window_.textColours()->unit(), 6);
  EXPECT_FALSE(window_.textColours()->cellOf(11).isEmpty());
}

TEST_F(MainWindowTest, HoverReportsTheExactValueAndZoomedCellsShowIt) {
  viz::HeatmapView* view = window_.heatmap();
  window_.controls()->setUnitFilter(QStringLiteral("0-9"));
  emit window_.controls()->changed();
  view->showSteps(100, 12);
  waitForFrame();
  const auto& vp = view->viewport();
  QSignalSpy hovered(view, &viz::HeatmapView::hovered);
  const QPoint cell(view->plotRect().left() + static_cast<int>(vp.xOfStep(105.5)),
                    view->plotRect().top() + static_cast<int>(vp.yOfRow(4.5)));
  QTest::mouseMove(view, cell);
  // On a real X server (app_on_xvfb) the pointer warps and its event arrives a little later.
  if (hovered.isEmpty()) hovered.wait(3000);
  ASSERT_GE(hovered.size(), 1);
  EXPECT_EQ(hovered.last()[0].value<long>(), 105);
  EXPECT_EQ(hovered.last()[1].toInt(), 4);
  EXPECT_EQ(hovered.last()[2].toFloat(), shownValues()(4, 105));
  // The cells are large enough for numbers: a cell shows its value as text, so it is no longer one colour.
  const QImage shot = view->grab().toImage();
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    shot.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/hover.png"));
  const QPoint other(view->plotRect().left() + static_cast<int>(vp.xOfStep(102.5)),
                     view->plotRect().top() + static_cast<int>(vp.yOfRow(7.5)));
  QSet<QRgb> colours;
  for (int dx = -12; dx <= 12; ++dx) colours.insert(shot.pixel(other.x() + dx, other.y()));
  EXPECT_GT(colours.size(), 2);
}

TEST_F(MainWindowTest, LinkedViewsShowTheRecordedNumbers) {
  window_.pickCurrent(50, 9);
  const Recording& r = *window_.recording();
  const auto summary = window_.predictions()->summary();
  ASSERT_EQ(summary.top.size(), 5u);
  EXPECT_EQ(summary.top[0].probability, r.probs.col(50).maxCoeff());
  EXPECT_EQ(summary.nextId, r.ids[51]);
  EXPECT_EQ(summary.nextProbability, r.probs(r.ids[51], 50));
  const auto& stats = window_.saturation()->statistics();
  ASSERT_EQ(stats.size(), 3u);
  const auto expected = gateSaturation(r.values(1, 0, Quantity::F));
  EXPECT_EQ(stats[1][0][9].left, expected[9].left);
  EXPECT_EQ(stats[1][0][9].right, expected[9].right);
  for (int k = 0; k < 500 && !window_.projection()->projection(); ++k) QTest::qWait(10);
  ASSERT_NE(window_.projection()->projection(), nullptr);
  EXPECT_EQ(window_.projection()->projection()->coordinates.cols(), r.steps);
}

TEST_F(MainWindowTest, EditingTheTextReanalysesAfterAPause) {
  QSignalSpy shown(&window_, &MainWindow::analysisShown);
  window_.setText(QStringLiteral("print(1)\n"));
  ASSERT_TRUE(shown.wait(60000));
  EXPECT_EQ(window_.recording()->steps, 9);
}

TEST_F(MainWindowTest, DroppedTextIsAnalysedAndRemembered) {
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("dropped.py"));
  writeFile(path, "x = [1, 2]\n");
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(path)});
  QSignalSpy shown(&window_, &MainWindow::analysisShown);
  // As a drag does it: enter (accepted), then drop.
  QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window_, &enter);
  ASSERT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window_, &drop);
  ASSERT_EQ(window_.textEditor()->toPlainText(), QStringLiteral("x = [1, 2]\n")) << window_.lastError().toStdString();
  ASSERT_TRUE(shown.wait(60000)) << window_.lastError().toStdString();
  EXPECT_EQ(window_.recording()->steps, 11);
  EXPECT_EQ(window_.textEditor()->toPlainText(), QStringLiteral("x = [1, 2]\n"));
  EXPECT_TRUE(QSettings().value(QStringLiteral("recentTexts")).toStringList().contains(path));
}

TEST_F(MainWindowTest, BadInputKeepsTheAnalysisAndSaysWhy) {
  const long steps = window_.recording()->steps;
  QSignalSpy failed(&window_, &MainWindow::analysisFailed);
  QTemporaryDir dir;
  const QString garbage = dir.filePath(QStringLiteral("garbage.h5"));
  writeFile(garbage, "this is not an HDF5 file");
  window_.openModel(garbage);
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_TRUE(failed[0][0].toString().contains(garbage)) << failed[0][0].toString().toStdString();
  EXPECT_EQ(window_.recording()->steps, steps);
  const QString latin1 = dir.filePath(QStringLiteral("latin1.txt"));
  writeFile(latin1, "caf\xe9\n");
  EXPECT_FALSE(window_.openTextFile(latin1));
  EXPECT_TRUE(window_.lastError().contains(QStringLiteral("UTF-8")));
  const QString empty = dir.filePath(QStringLiteral("empty.txt"));
  writeFile(empty, "");
  EXPECT_FALSE(window_.openTextFile(empty));  // said at once, not left as an editor waiting for text
  EXPECT_EQ(window_.lastError(), empty + QStringLiteral(": the file is empty: there is nothing to analyse"));
  EXPECT_EQ(window_.recording()->steps, steps);
}

TEST_F(MainWindowTest, ExportsEveryViewInEveryFormat) {
  window_.brushSteps({100, 108});
  for (int k = 0; k < 500 && !window_.projection()->projection(); ++k) QTest::qWait(10);
  window_.pickCurrent(40, 0);  // the matrix of the steps up to it: 0..40 (the demo text is long)
  window_.attribution()->setMethod(AttributionMethod::GradientTimesInput);  // light: ASan runs this too
  window_.attribution()->showMatrix();                                      // computed when its tab is first shown
  QTest::qWait(50);
  for (int k = 0; k < 18000 && !window_.attribution()->settled(); ++k) QTest::qWait(10);  // generous for ASan
  ASSERT_TRUE(window_.attribution()->settled());
  ASSERT_TRUE(window_.attribution()->report());
  ASSERT_TRUE(window_.attribution()->report()->matrix.has_value());
  EXPECT_EQ(window_.attribution()->matrixView()->size(), 41);
  // The Match view's rows: the places where the brushed selection is on elsewhere in the text.
  ASSERT_FALSE(window_.state().selectedUnits.empty());
  QSignalSpy searched(window_.match(), &app::MatchPanel::searched);
  window_.match()->find();
  ASSERT_TRUE(searched.wait(60000)) << window_.match()->summary().toStdString();
  ASSERT_FALSE(window_.match()->found()->rows.empty());
  // The Effects dock's bars and map: ablation of the quantity shown for the current step's prediction.
  for (app::EffectsPanel::Kind kind : {app::EffectsPanel::Kind::Sweep, app::EffectsPanel::Kind::Map}) {
    QSignalSpy computed(window_.effects(), &app::EffectsPanel::finished);
    window_.effects()->setKind(kind);
    window_.effects()->run();
    ASSERT_TRUE(computed.wait(60000));
    ASSERT_TRUE(window_.effects()->hasResult()) << window_.effects()->status().toStdString();
  }
  // The Probes dock's chart: the units ranked for a built-in label.
  QSignalSpy ranked(window_.probes(), &app::ProbesPanel::resultChanged);
  window_.probes()->run();
  ASSERT_TRUE(ranked.wait(60000)) << window_.probes()->status().toStdString();
  QTemporaryDir dir;
  viz::FigureExportOptions o;
  o.size = QSize(900, 500);
  o.dpi = 96;
  int k = 0;
  for (const auto& [name, view] : window_.exportableViews()) {
    const QString base = dir.filePath(QStringLiteral("view%1").arg(k++));
    for (const char* suffix : {".png", ".svg", ".pdf", ".csv"}) {
      const QString path = base + QLatin1String(suffix);
      ASSERT_EQ(viz::exportView(*view, path, o), QString()) << name.toStdString() << suffix;
      QFile file(path);
      ASSERT_TRUE(file.open(QIODevice::ReadOnly));
      EXPECT_GT(file.size(), 100) << name.toStdString() << suffix;
    }
    EXPECT_EQ(QImage(base + QStringLiteral(".png")).size(), QSize(900, 500)) << name.toStdString();
    // JSON where a view offers it (the attribution views, the probe ranking); a clear refusal elsewhere, and
    // no file.
    const QString json = viz::exportView(*view, base + QStringLiteral(".json"), o);
    if ((name.startsWith(QStringLiteral("Attribution")) && name != QStringLiteral("Attribution bars")) ||
        name == QStringLiteral("Units ranked by a probe's label"))
      EXPECT_EQ(json, QString()) << name.toStdString();
    else
      EXPECT_TRUE(json.contains(QStringLiteral("no JSON export")) && !QFile::exists(base + QStringLiteral(".json")))
          << name.toStdString();
    EXPECT_TRUE(QSvgRenderer(base + QStringLiteral(".svg")).isValid()) << name.toStdString();
  }
}

TEST_F(MainWindowTest, AttributionFollowsTheCurrentStepAndClicksPickSteps) {
  AttributionPanel& panel = *window_.attribution();
  const auto settle = [&] {
    QTest::qWait(50);
    for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);  // generous for ASan
    ASSERT_TRUE(panel.settled());
  };
  window_.pickCurrent(60, 0);
  settle();
  ASSERT_TRUE(panel.report());
  EXPECT_EQ(panel.report()->target.step, 60);
  // A language model's default target: the token that actually came next.
  EXPECT_EQ(panel.report()->target.output, window_.recording()->ids[61]);
  const TokenAttribution& ig = panel.report()->methods.front().values;
  ASSERT_TRUE(ig.convergenceDelta && ig.baselineScore);
  EXPECT_NEAR(ig.perToken.sum() - (ig.score - *ig.baselineScore), *ig.convergenceDelta, 1e-9);
  EXPECT_EQ(ig.perToken.size(), window_.recording()->steps);
  EXPECT_EQ(ig.perToken.tail(ig.perToken.size() - 61).cwiseAbs().maxCoeff(), 0);  // nothing after the target
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("Integrated Gradients")));
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("step 60")));
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("δ =")));

  emit panel.textView()->stepClicked(30);  // clicking a token makes its step current, and the target
  EXPECT_EQ(window_.state().currentStep, 30);
  settle();
  EXPECT_EQ(panel.report()->target.step, 30);

  // Clicking a prediction explains that token instead of the actual next one.
  const int other = window_.predictions()->summary().top.back().id;
  emit window_.predictions()->predictionClicked(other);
  settle();
  EXPECT_EQ(panel.report()->target.output, other);
  EXPECT_EQ(panel.report()->target.step, 30);
  // At another step a language model explains that step's actual next token, not the token picked
  // for step 30.
  window_.pickCurrent(40, 0);
  settle();
  EXPECT_EQ(panel.report()->target.output, window_.recording()->ids[41]);
  window_.pickCurrent(30, 0);
  settle();

  // Attribution to hidden units as a heatmap quantity: gradient x activation of layer 1's cells. They
  // cost two more passes, so the dock computes them only once the heatmap shows one.
  EXPECT_TRUE(panel.report()->gradientUnits.h.empty());
  window_.controls()->setLayer(1);
  window_.controls()->setAttribution(UnitAttributionKind::GradientC);
  ASSERT_EQ(window_.state().attribution, UnitAttributionKind::GradientC);
  settle();
  ASSERT_FALSE(panel.report()->gradientUnits.c.empty());
  const Mat<float>& shown = window_.heatmap()->data()->values();
  const Mat<double>& expected = panel.report()->gradientUnits.c[1][0];
  ASSERT_EQ(shown.rows(), expected.rows());
  ASSERT_EQ(shown.cols(), expected.cols());
  EXPECT_LT((shown.cast<double>() - expected).cwiseAbs().maxCoeff(), 1e-6 * (1 + expected.cwiseAbs().maxCoeff()));
  EXPECT_NE(expected.col(30).cwiseAbs().maxCoeff(), 0);
  window_.controls()->setAttribution(UnitAttributionKind::RelevanceH);
  EXPECT_LT((window_.heatmap()->data()->values().cast<double>() - panel.report()->relevanceUnits.h[1][0])
                .cwiseAbs()
                .maxCoeff(),
            1e-5 * (1 + panel.report()->relevanceUnits.h[1][0].cwiseAbs().maxCoeff()));

  // "What drives this cell?": the heatmap's current unit at the current step as the target.
  window_.pickCurrent(30, 7);
  panel.setTargetKind(TargetKind::Cell);
  settle();
  EXPECT_EQ(panel.report()->target.kind, TargetKind::Cell);
  EXPECT_EQ(panel.report()->target.unit, 7);
  EXPECT_EQ(panel.report()->target.layer, 1);
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("cell unit 7 of layer 1 at step 30")))
      << panel.textView()->figureTitle().toStdString();
  panel.setTargetKind(TargetKind::Logit);

  panel.setCompareAll(true);
  settle();
  EXPECT_EQ(panel.report()->methods.size(), 5u);
  EXPECT_EQ(panel.textView()->rows().size(), 5u);
}

}  // namespace
}  // namespace lstmscope::app
