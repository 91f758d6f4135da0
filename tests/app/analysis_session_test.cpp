// The analysis session without a window: it runs the model on the input, keeps the recording and what is
// derived from it, hands the views the values they show, and takes the Attribution dock's unit
// attributions as heatmap quantities.
#include "app/gui/analysis_session.h"

#include <gtest/gtest.h>

#include <QSignalSpy>
#include <limits>

#include "core/analysis/projection.h"
#include "core/analysis/recording.h"
#include "core/attribution/attribution_report.h"
#include "viz/heatmap_data.h"

namespace lstmscope::app {
namespace {

const QString kDemo = QStringLiteral(LSTMSCOPE_SOURCE_DIR "/resources/demo/python_char.h5");
const QString kText = QStringLiteral("def f(x):\n    return (x, 'y')\n");

// Analyses `text` with the session's model and waits for the result.
void analyse(AnalysisSession& session, const QString& text) {
  QSignalSpy analysed(&session, &AnalysisSession::analysed);
  QSignalSpy failed(&session, &AnalysisSession::failed);
  session.setInput(text);
  ASSERT_TRUE(session.analyse());
  ASSERT_TRUE(analysed.wait(60000)) << (failed.isEmpty() ? "" : failed[0][0].toString().toStdString());
}

TEST(AnalysisSession, NeedsAModelAndAnInputToStart) {
  AnalysisSession session;
  session.setInput(kText);
  EXPECT_FALSE(session.analyse());  // no model
  session.setModel(kDemo);
  session.setInput(QString());
  EXPECT_FALSE(session.analyse());  // nothing to read
  EXPECT_FALSE(session.busy());
  EXPECT_EQ(session.result(), nullptr);
  EXPECT_EQ(session.modelName(), QStringLiteral("python_char.h5"));
}

TEST(AnalysisSession, RecordsTheInputAndServesEveryQuantity) {
  AnalysisSession session;
  session.setModel(kDemo);
  analyse(session, kText);
  const std::shared_ptr<const Recording> r = session.recording();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->steps, kText.size());  // one step per character
  ASSERT_EQ(session.stepTokens().size(), kText.size());
  EXPECT_EQ(session.stepTokens()[0], QStringLiteral("d"));
  EXPECT_EQ(session.vocabularyDisplay().size(), static_cast<qsizetype>(r->arch.vocab.size()));

  const int last = static_cast<int>(r->arch.layers.size()) - 1;
  for (const Quantity q : {Quantity::I, Quantity::F, Quantity::C, Quantity::H}) {
    const auto data = session.heatmapData(last, 0, q, false);
    EXPECT_EQ(data->values(), r->values(last, 0, q)) << quantityName(q);
  }
  // tanh(c), computed with the run.
  const Mat<float>& c = r->values(last, 0, Quantity::C);
  const auto squashedData = session.heatmapData(last, 0, Quantity::C, true);  // holds the values
  const Mat<float>& squashed = squashedData->values();
  ASSERT_EQ(squashed.rows(), c.rows());
  ASSERT_EQ(squashed.cols(), c.cols());
  // Eigen's vectorised tanh (AVX2 or AVX-512 by -march=native) is within a few float ulps of std::tanh.
  for (Eigen::Index k = 0; k < c.size(); ++k)
    EXPECT_NEAR(squashed.data()[k], std::tanh(c.data()[k]), 8 * std::numeric_limits<float>::epsilon());
  // Gate saturation of every layer, from the same run.
  ASSERT_NE(session.result()->saturation, nullptr);
}

TEST(AnalysisSession, UnitAttributionsBecomeHeatmapQuantitiesUntilTheNextInput) {
  AnalysisSession session;
  session.setModel(kDemo);
  analyse(session, kText);
  const std::shared_ptr<const Recording> r = session.recording();
  const int H = r->hidden(0);
  // Before the dock has a result: zeros of the layer's shape.
  const auto beforeData =
      session.heatmapData(0, 0, Quantity::H, false, UnitAttributionKind::GradientH);  // holds the values
  const Mat<float>& before = beforeData->values();
  ASSERT_EQ(before.rows(), H);
  ASSERT_EQ(before.cols(), r->steps);
  EXPECT_EQ(before.cwiseAbs().maxCoeff(), 0.0f);

  AttributionReport report;
  for (UnitAttribution* u : {&report.gradientUnits, &report.relevanceUnits})
    for (size_t l = 0; l < r->arch.layers.size(); ++l) {
      const int units = r->hidden(static_cast<int>(l));
      u->h.push_back({Mat<double>::Random(units, r->steps)});
      u->c.push_back({Mat<double>::Random(units, r->steps)});
    }
  QSignalSpy changed(&session, &AnalysisSession::unitAttributionChanged);
  session.setUnitAttribution(report);
  EXPECT_EQ(changed.size(), 1);
  const std::pair<UnitAttributionKind, const Mat<double>*> kinds[] = {
      {UnitAttributionKind::GradientH, &report.gradientUnits.h[1][0]},
      {UnitAttributionKind::GradientC, &report.gradientUnits.c[1][0]},
      {UnitAttributionKind::RelevanceH, &report.relevanceUnits.h[1][0]},
      {UnitAttributionKind::RelevanceC, &report.relevanceUnits.c[1][0]}};
  for (const auto& [kind, expected] : kinds)
    EXPECT_EQ(session.heatmapData(1, 0, Quantity::H, false, kind)->values(), expected->cast<float>());

  // A new input: the attributions belonged to the old one.
  analyse(session, QStringLiteral("x = 1\n"));
  const auto afterData =
      session.heatmapData(1, 0, Quantity::H, false, UnitAttributionKind::RelevanceC);  // holds the values
  const Mat<float>& after = afterData->values();
  EXPECT_EQ(after.cols(), 6);
  EXPECT_EQ(after.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(AnalysisSession, KeepsTheLoadedModelForTheNextInput) {
  AnalysisSession session;
  session.setModel(kDemo);
  analyse(session, kText);
  const std::shared_ptr<const Model> loaded = session.model();
  ASSERT_NE(loaded, nullptr);
  EXPECT_NE(session.result()->importReport, nullptr);  // loaded for this analysis
  analyse(session, QStringLiteral("print(1)\n"));
  EXPECT_EQ(session.model(), loaded);  // not loaded again
  EXPECT_EQ(session.result()->importReport, nullptr);
  EXPECT_EQ(session.recording()->steps, 9);
}

TEST(AnalysisSession, ReportsABadModelByName) {
  AnalysisSession session;
  QSignalSpy failed(&session, &AnalysisSession::failed);
  QSignalSpy analysed(&session, &AnalysisSession::analysed);
  session.setModel(QStringLiteral("/no/such/model.h5"));
  session.setInput(kText);
  ASSERT_TRUE(session.analyse());
  ASSERT_TRUE(failed.wait(30000));
  EXPECT_TRUE(failed[0][0].toString().contains(QStringLiteral("/no/such/model.h5")));
  EXPECT_TRUE(analysed.isEmpty());
  EXPECT_EQ(session.recording(), nullptr);
}

TEST(AnalysisSession, ProjectsStatesOffTheGuiThread) {
  AnalysisSession session;
  session.setModel(kDemo);
  analyse(session, kText);
  QSignalSpy ready(&session, &AnalysisSession::projectionReady);
  session.requestProjection(session.heatmapData(0, 0, Quantity::H, false), QStringLiteral("layer 0 · h"));
  ASSERT_TRUE(ready.wait(30000));
  const auto projection = ready[0][0].value<std::shared_ptr<const Projection>>();
  ASSERT_NE(projection, nullptr);
  const Projection expected = principalComponents(session.recording()->values(0, 0, Quantity::H), 2);
  EXPECT_EQ(projection->coordinates, expected.coordinates);
  EXPECT_EQ(ready[0][1].toString(), QStringLiteral("layer 0 · h"));
}

}  // namespace
}  // namespace lstmscope::app
