// A model of numeric features in the app: the Text dock takes a CSV table, its columns can label the steps,
// and every view (heatmap, attribution) works on the table's numbers.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>

#include "app/gui/main_window.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "tests/app/test_window.h"
#include "tests/support/test_models.h"

namespace lstmscope::app {
namespace {

const char* const kTable =
    "date,load,temp,rain\n"
    "2024-01-01,0.5,10,0\n"
    "2024-01-02,0.75,9.5,1.25\n"
    "2024-01-03,-0.25,8,0\n"
    "2024-01-04,1.5,7.5,3\n";

TEST(FeatureInput, CsvTableIsAnalysedAndItsColumnsLabelTheSteps) {
  const test::ScratchDir dir("feature-input");
  const Model model = test::smallFeatureModel(3);
  const std::string path = dir.file("forecaster.h5");
  saveNativeModel(model, path);
  MainWindow window;
  test::prepareForTest(window);

  // Text where a table belongs: the message says what the model wants.
  QSignalSpy failed(&window, &MainWindow::analysisFailed);
  window.setText(QStringLiteral("def f():\n"));
  window.openModel(QString::fromStdString(path));
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("This model reads 3 numeric feature(s) per step")))
      << failed.last()[0].toString().toStdString();
  // The demo's sample text (what an empty editor gets): only what to give, not a parse error of Python code.
  window.setText(QString());
  window.openModel(QString::fromStdString(path));
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_EQ(failed.last()[0].toString(),
            QString::fromStdString(path) +
                QStringLiteral(": this model reads 3 numeric feature(s) per step: paste or open a CSV table, one row "
                               "per step and one column per feature (header optional)"));

  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.setText(QString::fromLatin1(kTable));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  const Recording& r = *window.recording();
  ASSERT_EQ(r.steps, 4);
  EXPECT_EQ(r.tokens, (std::vector<std::string>{"0", "1", "2", "3"}));  // step numbers by default
  ASSERT_EQ(r.features.rows(), 3);
  EXPECT_FLOAT_EQ(r.features(0, 1), 0.75f);
  EXPECT_FLOAT_EQ(r.features(2, 3), 3.0f);
  EXPECT_TRUE(window.stepLabelChoice()->isVisibleTo(&window));
  QStringList choices;
  for (int k = 0; k < window.stepLabelChoice()->count(); ++k) choices << window.stepLabelChoice()->itemText(k);
  EXPECT_EQ(choices, (QStringList{QStringLiteral("step number"), QStringLiteral("load"), QStringLiteral("temp"),
                                  QStringLiteral("rain"), QStringLiteral("date")}));

  // The recorded states are the engine's on the table's numbers.
  Inputs<float> in;
  in.steps = 4;
  in.features = r.features;
  Tape<float> tape;
  forward(model, in, tape);
  EXPECT_TRUE(r.values(0, 0, Quantity::H).isApprox(tape.layers[0][0].h, 1e-6f));
  EXPECT_TRUE(window.heatmap()->data() != nullptr);

  // Labelled by the date column: every view gets the dates.
  window.setStepLabelColumn(QStringLiteral("date"));
  window.analyseNow();
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_EQ(window.recording()->tokens,
            (std::vector<std::string>{"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"}));
  EXPECT_EQ(window.stepLabelChoice()->currentText(), QStringLiteral("date"));

  // Attribution of the forecast to the steps: after the last step, whichever step is current.
  AttributionPanel& panel = *window.attribution();
  window.pickCurrent(1, 0);
  QTest::qWait(50);
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  ASSERT_TRUE(panel.settled());
  ASSERT_TRUE(panel.report());
  EXPECT_EQ(panel.report()->target.step, 3);
  const TokenAttribution& ig = panel.report()->methods.front().values;
  ASSERT_EQ(ig.perToken.size(), 4);
  ASSERT_TRUE(ig.convergenceDelta && ig.baselineScore);
  EXPECT_NEAR(ig.perToken.sum() - (ig.score - *ig.baselineScore), *ig.convergenceDelta, 1e-9);
  EXPECT_NEAR(ig.score, tape.logits(0, 0), 1e-5);
  EXPECT_TRUE(panel.textView()->figureTitle().contains(QStringLiteral("predicted from the whole sequence")))
      << panel.textView()->figureTitle().toStdString();
}

}  // namespace
}  // namespace lstmscope::app
