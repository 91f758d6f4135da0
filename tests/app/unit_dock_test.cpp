// The Unit dock (docs/APP.md "Unit dashboard"): a click on a unit's label in the heatmap shows that unit
// over the whole trace (or the analysed text) — its histogram and the contexts where it is highest and
// lowest, as the trace stores them — and a click on a context goes there.
#include <gtest/gtest.h>

#include <QDockWidget>
#include <QScrollArea>
#include <QTest>

#include "app/gui/unit_panel.h"
#include "tests/app/recorded_corpus.h"
#include "tests/app/test_window.h"
#include "viz/unit_dashboard_view.h"

namespace lstmscope::test {
namespace {

class UnitDock : public testing::Test {
 protected:
  // Shows units 0-19 in the heatmap (rows tall enough to click) and the Unit dock.
  void showFirstUnits() {
    window_.findChild<QDockWidget*>(QStringLiteral("unit"))->raise();
    window_.controls()->setUnitFilter(QStringLiteral("0-19"));
    emit window_.controls()->changed();
    QTest::qWait(50);  // the docks' new layout
  }
  // Clicks unit `unit`'s label in the heatmap (units 0-19 shown in index order) and waits for its dashboard.
  testing::AssertionResult clickUnitLabel(int unit) {
    viz::HeatmapView* view = window_.heatmap();
    const QPoint label(view->plotRect().left() - 20,
                       view->plotRect().top() + static_cast<int>(view->viewport().yOfRow(unit + 0.5)));
    QTest::mouseClick(view, Qt::LeftButton, {}, label);
    if (window_.state().currentUnit != unit) return testing::AssertionFailure() << "the click did not pick the unit";
    const auto showsUnit = [&] {
      const viz::UnitDashboardData* d = window_.unit()->dashboard()->data();
      return !window_.unit()->busy() && d && d->title.startsWith(QStringLiteral("Unit %1 ").arg(unit));
    };
    // Polled rather than waiting for the next `shown`: the dashboard may be shown before a wait starts
    // (a short job finishing while the click is delivered), and a wait for a second signal then times out.
    if (QTest::qWaitFor(showsUnit, 60000)) return testing::AssertionSuccess();
    return testing::AssertionFailure() << window_.unit()->status().toStdString();
  }
  const viz::UnitDashboardData& dashboard() { return *window_.unit()->dashboard()->data(); }

  app::MainWindow window_;
};

TEST_F(UnitDock, AClickOnAUnitLabelShowsItOverTheWholeTraceAndAContextGoesThere) {
  ScratchDir dir("app-unit-dock");
  const Corpus c = recordCorpus(dir);
  prepareForTest(window_);
  QSignalSpy opened(&window_, &app::MainWindow::analysisShown);
  ASSERT_TRUE(window_.openTrace(QString::fromStdString(c.trace))) << window_.lastError().toStdString();
  ASSERT_TRUE(opened.wait(60000));
  window_.controls()->setLayer(0);
  window_.controls()->setQuantity(Quantity::C);
  showFirstUnits();
  const int unit = 3;  // of layer 0's 5
  ASSERT_TRUE(clickUnitLabel(unit));
  ASSERT_NE(window_.unit()->dashboard()->data(), nullptr);

  // The numbers are the unit's over all 400 steps of the trace, not over the window shown (40 steps).
  const TraceReader trace(c.trace);
  const Mat<float> all = trace.read(0, 0, Quantity::C, 0, trace.steps());
  const viz::UnitDashboardData& d = dashboard();
  int64_t counted = 0;
  for (int64_t n : d.counts) counted += n;
  EXPECT_EQ(counted, trace.steps());
  EXPECT_NE(d.title.indexOf(QStringLiteral("Unit 3")), -1) << d.title.toStdString();
  EXPECT_NE(d.stats.indexOf(QStringLiteral("stored in the trace")), -1) << d.stats.toStdString();
  ASSERT_EQ(d.highest.size(), 20u);
  ASSERT_EQ(d.lowest.size(), 20u);
  EXPECT_EQ(d.highest.front().value, all.row(unit).maxCoeff());
  EXPECT_EQ(d.lowest.front().value, all.row(unit).minCoeff());
  for (const viz::UnitContextRow& row : d.highest) {
    EXPECT_EQ(row.value, all(unit, row.step));
    EXPECT_EQ(row.values[static_cast<size_t>(row.at)], row.value);
    EXPECT_EQ(row.text[row.at].toStdString(), trace.tokenText(row.step, 1).front());
  }
  EXPECT_NEAR(d.mean, all.row(unit).cast<double>().mean(), 1e-9);

  // What is drawn: the histogram's bars in the plot area, the tallest reaching near its top.
  viz::UnitDashboardView* view = window_.unit()->dashboard();
  const QImage image = view->grab().toImage();
  const QRect plot = view->histogramRect();
  int barPixels = 0;
  for (int x = plot.left() + 1; x < plot.right(); ++x)
    if (image.pixel(x, plot.top() + 3) == qRgb(0x4a, 0x7a, 0xb5)) ++barPixels;
  EXPECT_GT(barPixels, 0) << "no bar reaches the top of the histogram";

  // A click on the lowest context in another document than the one shown goes to that step there.
  size_t k = 0;
  while (k + 1 < d.lowest.size() && window_.session()->result()->window.contains(d.lowest[k].step)) ++k;
  const long target = d.lowest[k].step;
  const int index = static_cast<int>(d.highest.size() + k);
  auto* scroll = qobject_cast<QScrollArea*>(view->parentWidget()->parentWidget());
  ASSERT_NE(scroll, nullptr);
  scroll->ensureVisible(0, view->contextRect(index).center().y());
  QSignalSpy moved(&window_, &app::MainWindow::analysisShown);
  QTest::mouseClick(view, Qt::LeftButton, {}, view->contextRect(index).center());
  if (!window_.session()->result()->window.contains(target)) {
    ASSERT_TRUE(moved.wait(60000));
  }
  const app::AnalysisResult& shown = *window_.session()->result();
  EXPECT_TRUE(shown.window.contains(target));
  EXPECT_EQ(window_.state().currentStep + shown.window.first, target);
  if (const char* shots = std::getenv("LSTMSCOPE_SHOTS_DIR"))
    window_.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/unit_dock.png"));
}

TEST_F(UnitDock, WithoutATraceItShowsTheUnitOverTheAnalysedText) {
  ASSERT_TRUE(openDemoForTest(window_));
  window_.controls()->setLayer(0);
  window_.controls()->setQuantity(Quantity::H);
  showFirstUnits();
  const int unit = 2;
  ASSERT_TRUE(clickUnitLabel(unit));
  const Recording& r = *window_.session()->recording();
  const viz::UnitDashboardData& d = dashboard();
  int64_t counted = 0;
  for (int64_t n : d.counts) counted += n;
  EXPECT_EQ(counted, r.steps);
  EXPECT_NE(d.title.indexOf(QStringLiteral("over the text")), -1) << d.title.toStdString();
  const Mat<float>& h = r.values(0, 0, Quantity::H);
  EXPECT_EQ(d.highest.front().value, h.row(unit).maxCoeff());
  EXPECT_EQ(d.lowest.front().value, h.row(unit).minCoeff());
  // Another unit: the quantity's summaries are kept, only the new unit's contexts are read.
  ASSERT_TRUE(clickUnitLabel(unit + 1));
  EXPECT_EQ(dashboard().highest.front().value, h.row(unit + 1).maxCoeff());
}

}  // namespace
}  // namespace lstmscope::test
