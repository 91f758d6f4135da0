// The app on a trace file (docs/APP.md "Traces and corpora"): windows of the trace read on demand, the
// Corpus dock's document list and step navigation, the views that need the model saying why without it,
// and the Match dock finding the same runs as the CLI's match and jumping to them by a click.
#include <gtest/gtest.h>

#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <filesystem>
#include <fstream>

#include "app/gui/corpus_panel.h"
#include "app/gui/match_panel.h"
#include "core/analysis/trace_match.h"
#include "core/formats/hdf5.h"
#include "core/formats/native_model.h"
#include "tests/app/app_process.h"
#include "tests/app/recorded_corpus.h"
#include "tests/app/test_window.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

class TraceWorkspace : public testing::Test {
 protected:
  void SetUp() override { prepareForTest(window_); }

  testing::AssertionResult open(const std::string& path) {
    QSignalSpy shown(&window_, &app::MainWindow::analysisShown);
    if (!window_.openTrace(QString::fromStdString(path)))
      return testing::AssertionFailure() << window_.lastError().toStdString();
    if (shown.wait(60000)) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "the trace was not shown: " << window_.lastError().toStdString();
  }
  // Waits for the window that a navigation asked for.
  testing::AssertionResult waitShown(const std::function<void()>& act) {
    QSignalSpy shown(&window_, &app::MainWindow::analysisShown);
    act();
    if (shown.wait(60000)) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "no new window: " << window_.lastError().toStdString();
  }
  const app::AnalysisResult& shown() const { return *window_.session()->result(); }
  void saveShot(const char* name) {
    if (const char* dir = std::getenv("LSTMSCOPE_SHOTS_DIR"))
      window_.grab().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + QLatin1String(name));
  }

  app::MainWindow window_;
};

TEST_F(TraceWorkspace, OpensOnTheFirstDocumentWithTheModelTheTraceNames) {
  ScratchDir dir("app-trace-open");
  const Corpus c = recordCorpus(dir);
  ASSERT_TRUE(open(c.trace));
  const app::AnalysisResult& r = shown();
  EXPECT_EQ(r.window.first, 0);
  EXPECT_EQ(r.window.count, 40);  // the whole of "alpha"
  EXPECT_TRUE(r.modelProblem.isEmpty()) << r.modelProblem.toStdString();
  ASSERT_NE(r.model, nullptr);
  EXPECT_TRUE(r.recording->isLanguageModel());  // predictions from the trace's own probabilities
  // The views show the trace's values, not a new run's.
  const TraceReader trace(c.trace);
  EXPECT_EQ(window_.session()->heatmapData(1, 0, Quantity::H, false)->values(), trace.read(1, 0, Quantity::H, 0, 40));
  EXPECT_TRUE(window_.textEditor()->isReadOnly());
  EXPECT_EQ(window_.textEditor()->toPlainText().size(), 40);
  EXPECT_EQ(window_.corpus()->documentList()->model()->rowCount(), 4);
  EXPECT_TRUE(window_.findChild<QDockWidget*>(QStringLiteral("corpus"))->isVisible());
  EXPECT_NE(window_.corpus()->windowText().indexOf(QStringLiteral("alpha")), -1);
  // The meta track under the tokens: the window's values, and room made for its strip above the plot.
  ASSERT_EQ(r.metaStrips.size(), 1u);
  EXPECT_EQ(r.metaStrips[0].style.name, QStringLiteral("depth"));
  const MetaTrack depth = trace.meta("depth");
  EXPECT_EQ(r.metaStrips[0].values, std::vector<float>(depth.values.begin(), depth.values.begin() + 40));
  const int plotTopWithStrip = window_.heatmap()->plotRect().top();
  window_.heatmap()->setMetaStrips({});
  EXPECT_EQ(window_.heatmap()->plotRect().top(), plotTopWithStrip - viz::kMetaStripHeight - 2);
  // Attribution explains the window: it is its whole document.
  EXPECT_TRUE(window_.attribution()->targetDescription().size() > 0);
}

TEST_F(TraceWorkspace, TheDocumentListFindsByNameAndAClickShowsTheDocument) {
  ScratchDir dir("app-trace-docs");
  const Corpus c = recordCorpus(dir);
  ASSERT_TRUE(open(c.trace));
  window_.corpus()->setNameFilter(QStringLiteral("DEL"));
  ASSERT_EQ(window_.corpus()->visibleDocuments(), 1);
  QTableView* list = window_.corpus()->documentList();
  window_.findChild<QDockWidget*>(QStringLiteral("corpus"))->raise();
  const QRect cell = list->visualRect(list->model()->index(0, 0));
  ASSERT_TRUE(waitShown([&] { QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, cell.center()); }));
  EXPECT_EQ(shown().window.first, 340);
  EXPECT_EQ(shown().window.count, 60);
  EXPECT_EQ(shown().recording->tokens.front(), TraceReader(c.trace).tokenText(340, 1).front());
  // The Previous button: the window before, all of "beta" ("gamma" is empty).
  QPushButton* previous = nullptr;
  for (QPushButton* b : window_.corpus()->findChildren<QPushButton*>())
    if (b->text().contains(QStringLiteral("Previous"))) previous = b;
  ASSERT_NE(previous, nullptr);
  ASSERT_TRUE(waitShown([&] { QTest::mouseClick(previous, Qt::LeftButton); }));
  EXPECT_EQ(shown().window.first, 40);
  EXPECT_EQ(shown().window.count, 300);
  // A step inside the shown window is shown without reading the trace again.
  QSignalSpy started(window_.session(), &app::AnalysisSession::analysisStarted);
  window_.goToStep(100);
  EXPECT_EQ(started.size(), 0);
  EXPECT_EQ(window_.state().currentStep, 60);  // trace step 100 in a window starting at 40
  // Without a filter, the list marks the document shown, and only it.
  window_.corpus()->setNameFilter(QString());
  ASSERT_TRUE(waitShown([&] { window_.goToStep(345); }));
  const QModelIndexList selected = list->selectionModel()->selectedRows();
  ASSERT_EQ(selected.size(), 1);
  EXPECT_EQ(selected.front().data().toString(), QStringLiteral("delta"));
}

TEST_F(TraceWorkspace, WithoutItsModelTheViewsThatNeedItSayWhy) {
  ScratchDir dir("app-trace-nomodel");
  const Corpus c = recordCorpus(dir, false);
  std::filesystem::remove(c.model);
  ASSERT_TRUE(open(c.trace));
  EXPECT_EQ(shown().model, nullptr);
  EXPECT_NE(shown().modelProblem.indexOf(QStringLiteral("not found")), -1) << shown().modelProblem.toStdString();
  // The values are still shown (from the trace), and every quantity the trace holds can be chosen.
  EXPECT_EQ(shown().recording->steps, 40);
  window_.controls()->setQuantity(Quantity::F);
  EXPECT_EQ(window_.controls()->quantity(), Quantity::F);
  window_.controls()->setAttribution(app::UnitAttributionKind::GradientH);
  EXPECT_EQ(window_.controls()->attribution(), app::UnitAttributionKind::None) << "offered without a model";
  EXPECT_NE(window_.corpus()->windowText().indexOf(QStringLiteral("not available")), -1);
}

TEST_F(TraceWorkspace, ALongDocumentIsShownAWindowAtATimeAndAttributionSaysWhyNot) {
  ScratchDir dir("app-trace-long");
  const Corpus c = recordCorpus(dir);
  const TraceReader trace(c.trace);
  // Windows of 100 steps: "beta" (300 steps) needs three or more.
  const double bytesPerStep = 1e6 / static_cast<double>(windowStepBudget(trace, 1e6));
  window_.session()->setTraceWindowBytes(100.5 * bytesPerStep);
  ASSERT_TRUE(open(c.trace));
  ASSERT_TRUE(waitShown([&] { window_.goToStep(200); }));
  EXPECT_EQ(shown().window.count, 100);
  EXPECT_EQ(shown().window.first, 175);  // a quarter of the window before the step
  EXPECT_EQ(window_.state().currentStep, 25);
  // Hovering the heatmap says the trace's step beside the window's.
  viz::HeatmapView* heatmap = window_.heatmap();
  QSignalSpy hovered(heatmap, &viz::HeatmapView::hovered);
  QTest::mouseMove(heatmap, heatmap->plotRect().center());
  if (hovered.isEmpty()) hovered.wait(3000);
  ASSERT_GE(hovered.size(), 1);
  const long hoveredStep = hovered.last()[0].value<long>();
  bool said = false;
  for (const QLabel* label : window_.statusBar()->findChildren<QLabel*>())
    said = said || label->text().contains(QStringLiteral("(trace step %L1)").arg(175 + hoveredStep));
  EXPECT_TRUE(said) << "no status text names trace step " << 175 + hoveredStep;
  // Attribution would start from a zero state in the middle of "beta": it says so instead.
  EXPECT_EQ(window_.attribution()->targetDescription(), QString());
  // The next window (as Next asks for it) holds this one's end, with a quarter of context before it,
  // clamped to the end of "beta".
  ASSERT_TRUE(waitShown([&] { window_.goToStep(shown().window.end()); }));
  EXPECT_EQ(shown().window.first, 240);
  EXPECT_EQ(shown().window.end(), 340);
}

TEST_F(TraceWorkspace, MatchFindsWhatTheCliFindsAndAClickJumpsToTheRun) {
  ScratchDir dir("app-trace-match");
  const Corpus c = recordCorpus(dir);
  ASSERT_TRUE(open(c.trace));
  window_.controls()->setLayer(0);
  window_.controls()->setQuantity(Quantity::H);
  for (int u : {0, 2, 3}) window_.toggleUnit(u);
  ASSERT_EQ(window_.state().selectedUnits, (std::vector<int>{0, 2, 3}));
  app::MatchPanel* match = window_.match();
  window_.findChild<QDockWidget*>(QStringLiteral("match"))->raise();
  QSignalSpy searched(match, &app::MatchPanel::searched);
  match->setConstraints(true, false);
  match->find();
  ASSERT_TRUE(searched.wait(60000)) << match->summary().toStdString();
  ASSERT_NE(match->found(), nullptr);

  const TraceReader trace(c.trace);
  MatchQuery query;
  query.units = {0, 2, 3};
  query.threshold = window_.state().threshold;
  query.constrainLeft = true;
  const MatchResult cli = matchTrace(trace, 0, 0, Quantity::H, query).result;
  const MatchResult& app = match->found()->result;
  ASSERT_FALSE(cli.matches.empty());
  EXPECT_EQ(app.candidates, cli.candidates);
  ASSERT_EQ(app.matches.size(), cli.matches.size());
  for (size_t k = 0; k < cli.matches.size(); ++k) {
    EXPECT_EQ(app.matches[k].start, cli.matches[k].start) << k;
    EXPECT_EQ(app.matches[k].length, cli.matches[k].length) << k;
    EXPECT_EQ(app.matches[k].units, cli.matches[k].units) << k;
  }
  // Each row shows its run and context with the on-counts and the meta track.
  const viz::MatchRow& row = match->found()->rows.front();
  EXPECT_EQ(row.runEnd - row.runFirst, cli.matches.front().length);
  ASSERT_EQ(row.meta.size(), 1u);
  EXPECT_EQ(row.meta[0].size(), static_cast<size_t>(row.tokens.size()));
  for (int k = row.runFirst; k < row.runEnd; ++k) EXPECT_GE(row.onCount[static_cast<size_t>(k)], 1);

  // A click on a row in another document shows that document with the run's first step current.
  size_t target = 0;
  while (target + 1 < cli.matches.size() && shown().window.contains(cli.matches[target].start)) ++target;
  const Match& m = cli.matches[target];
  viz::MatchRowsView* rows = match->rowsView();
  auto* scroll = qobject_cast<QScrollArea*>(rows->parentWidget()->parentWidget());
  ASSERT_NE(scroll, nullptr);
  scroll->ensureVisible(0, rows->rowRect(static_cast<int>(target)).center().y());
  const QPoint at = rows->rowRect(static_cast<int>(target)).center();
  if (shown().window.contains(m.start)) {
    QTest::mouseClick(rows, Qt::LeftButton, {}, at);
  } else {
    ASSERT_TRUE(waitShown([&] { QTest::mouseClick(rows, Qt::LeftButton, {}, at); }));
  }
  EXPECT_TRUE(shown().window.contains(m.start));
  EXPECT_EQ(window_.state().currentStep + shown().window.first, m.start);
  EXPECT_EQ(window_.state().selectedUnits, (std::vector<int>{0, 2, 3})) << "the selection survives the jump";
  saveShot("match.png");
}

// An LSTMVis project (lstm.yml): converted in the background, then shown as a trace without a model.
TEST_F(TraceWorkspace, AnLstmvisProjectOpensLikeATraceAndAMissingFileIsNamed) {
  ScratchDir dir("app-lstmvis");
  const Mat<float> cells = Mat<float>::NullaryExpr(4, 30, [](long u, long t) { return std::sin(0.4f * t + u); });
  {
    h5::File states = h5::File::create(dir.file("states.h5"));
    h5::writeFloats(states.id(), "states1", {30, 4}, cells.data());
    states.flush();
    h5::File train = h5::File::create(dir.file("train.h5"));
    std::vector<int32_t> ids(30);
    for (int t = 0; t < 30; ++t) ids[static_cast<size_t>(t)] = 1 + t % 2;
    h5::writeInts(train.id(), "word_ids", ids);
    train.flush();
  }
  std::ofstream(dir.file("words.dict")) << "hello 1\nworld 2\n";
  std::ofstream(dir.file("lstm.yml")) << "name: tiny\nfiles: {states: states.h5, train: train.h5, words: words.dict}\n"
                                         "word_sequence: {file: train, path: word_ids, dict_file: words}\n"
                                         "states: {file: states, types: [{type: state, layer: 1, path: states1}]}\n";
  ASSERT_TRUE(waitShown([&] { window_.openModelInteractively(QString::fromStdString(dir.file("lstm.yml"))); }));
  EXPECT_EQ(shown().recording->tokens[1], "world");
  EXPECT_EQ(window_.session()->heatmapData(0, 0, Quantity::C, false)->values(), cells);
  EXPECT_NE(shown().modelProblem.indexOf(QStringLiteral("LSTMVis project holds no model")), -1);
  EXPECT_NE(window_.corpus()->windowText().indexOf(QStringLiteral("not available")), -1);

  std::filesystem::remove(dir.file("words.dict"));
  QSignalSpy failed(&window_, &app::MainWindow::analysisFailed);
  window_.openModelInteractively(QString::fromStdString(dir.file("lstm.yml")));
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_NE(window_.lastError().indexOf(QStringLiteral("words.dict")), -1) << window_.lastError().toStdString();
}

// On the command line a trace's steps are its own: --select opens the window that holds them, and the
// Match dock's rows export; what cannot be shown is refused with exit 3, at once.
TEST(TraceCommandLine, StepsAreTheTracesAndWhatCannotBeShownExitsThree) {
  ScratchDir dir("app-trace-cli");
  const Corpus c = recordCorpus(dir, true, {Quantity::C, Quantity::H});
  const QString trace = QString::fromStdString(c.trace), csv = QString::fromStdString(dir.file("m.csv"));
  AppRun run =
      runAppOffscreen({trace, QStringLiteral("--select"), QStringLiteral("345:352"), QStringLiteral("--layer"),
                       QStringLiteral("0"), QStringLiteral("--match"), QStringLiteral("5"), QStringLiteral("--export"),
                       csv, QStringLiteral("--export-view"), QStringLiteral("match")});
  ASSERT_EQ(run.exitCode, 0) << run.stderrText.toStdString();
  std::ifstream rows(dir.file("m.csv"));
  std::string header, first;
  std::getline(rows, header);
  EXPECT_TRUE(std::getline(rows, first)) << "no match row";
  run = runAppOffscreen({trace, QStringLiteral("--quantity"), QStringLiteral("f"), QStringLiteral("--screenshot"),
                         QString::fromStdString(dir.file("s.png"))});
  EXPECT_EQ(run.exitCode, 3);
  EXPECT_TRUE(run.stderrText.contains(QStringLiteral("f is not recorded"))) << run.stderrText.toStdString();
  run = runAppOffscreen({trace, QStringLiteral("--select"), QStringLiteral("35:45"), QStringLiteral("--screenshot"),
                         QString::fromStdString(dir.file("s.png"))});
  EXPECT_EQ(run.exitCode, 3);  // across the border of "alpha" and "beta"
  EXPECT_TRUE(run.stderrText.contains(QStringLiteral("must lie in one document"))) << run.stderrText.toStdString();
  {  // token text shorter than the trace: refused when opened, naming the dataset
    h5::File f = h5::File::openReadWrite(c.trace);
    H5Ldelete(f.id(), "token_text", H5P_DEFAULT);
    h5::writeStrings(f.id(), "token_text", {"a", "b"});
    f.flush();
  }
  run = runAppOffscreen({trace, QStringLiteral("--screenshot"), QString::fromStdString(dir.file("s.png"))});
  EXPECT_EQ(run.exitCode, 3);
  EXPECT_TRUE(run.stderrText.contains(QStringLiteral("token_text has 2 rows but must have 400")))
      << run.stderrText.toStdString();
}

TEST_F(TraceWorkspace, ADamagedTraceIsRefusedByName) {
  ScratchDir dir("app-trace-bad");
  const Corpus c = recordCorpus(dir);
  const auto size = std::filesystem::file_size(c.trace);
  std::filesystem::resize_file(c.trace, size / 3);
  QSignalSpy failed(&window_, &app::MainWindow::analysisFailed);
  const bool opened = window_.openTrace(QString::fromStdString(c.trace));
  if (opened) {
    ASSERT_TRUE(failed.wait(60000));  // the header was readable, the first window not
  }
  EXPECT_NE(window_.lastError().indexOf(QStringLiteral("corpus.h5")), -1) << window_.lastError().toStdString();
}

}  // namespace
}  // namespace lstmscope::test
