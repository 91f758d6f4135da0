// A model of numeric features in the app: the Text dock takes a CSV table, its columns can label the steps,
// and every view (heatmap, attribution) works on the table's numbers.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QTextStream>

#include "app/gui/main_window.h"
#include "core/attribution/gradient_attribution.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "core/model/step_layers_backward.h"
#include "tests/app/test_window.h"
#include "tests/support/test_models.h"
#include "viz/predictions_view.h"

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

  // Text where a table belongs: the message says first what the model wants, then why the text is not it.
  QSignalSpy failed(&window, &MainWindow::analysisFailed);
  window.setText(QStringLiteral("def f():\n"));
  window.openModel(QString::fromStdString(path));
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("This model reads 3 numeric feature(s) per step")))
      << failed.last()[0].toString().toStdString();
  EXPECT_TRUE(failed.last()[0].toString().startsWith(QStringLiteral("This model reads 3 numeric feature(s)")))
      << failed.last()[0].toString().toStdString();
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("(header optional). Not read as one: the text: ")))
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

  // A column the table lacks (a mistyped --label-column): said, and the steps keep their numbers.
  window.setStepLabelColumn(QStringLiteral("nope"));
  window.analyseNow();
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_EQ(window.recording()->tokens, (std::vector<std::string>{"0", "1", "2", "3"}));
  const QString said = window.statusBar()->currentMessage() + window.statusBar()->toolTip();
  EXPECT_TRUE(said.contains(QStringLiteral("the table has no column 'nope'"))) << said.toStdString();

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

// Saves `model` in `dir` and opens it in `window` over `text` (the caller waits for the analysis).
void openOver(MainWindow& window, const test::ScratchDir& dir, const Model& model, const QString& text) {
  const std::string path = dir.file("model.h5");
  saveNativeModel(model, path);
  window.setText(text);
  window.openModel(QString::fromStdString(path));
}

// A forecaster whose front end reads windows of rows (a valid convolution of 2 taps, then max pooling by 2):
// 5 rows become 2 LSTM steps, labelled with their rows; the Predictions dock shows the forecast's values.
TEST(FeatureInput, WindowFrontEndLabelsStepsWithRowsAndTheForecastIsShown) {
  const test::ScratchDir dir("window-front-end");
  Model model = test::smallFeatureModel(3);
  StepLayer conv;
  conv.name = "conv1d", conv.className = "Conv1D", conv.kind = StepLayer::Kind::Conv;
  conv.window = 2, conv.activation = "tanh";
  conv.weight = Eigen::MatrixXd::Random(3, 2 * 2);  // 3 filters over 2 raw features
  conv.bias = Eigen::VectorXd::Random(3);
  StepLayer pool;
  pool.name = "max_pooling1d", pool.className = "MaxPooling1D", pool.kind = StepLayer::Kind::MaxPool;
  pool.window = 2, pool.stride = 2;
  model.arch.frontEnd = {conv, pool};
  MainWindow window;
  test::prepareForTest(window);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  openOver(window, dir, model, QStringLiteral("day,a,b\nmon,1,0\ntue,0.5,2\nwed,-1,1\nthu,2,2\nfri,0,-3\n"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  const Recording& r = *window.recording();
  ASSERT_EQ(r.steps, 2);
  EXPECT_EQ(r.tokens, (std::vector<std::string>{"0–2", "2–4"}));  // each step's rows
  window.setStepLabelColumn(QStringLiteral("day"));
  window.analyseNow();
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_EQ(window.recording()->tokens, (std::vector<std::string>{"wed", "fri"}));  // the last row each reads

  // The forecast, from the whole input, is the engine's on the front end's output.
  Inputs<float> in;
  in.steps = 2;
  in.features = window.recording()->features;
  Tape<float> tape;
  forward(model, in, tape);
  viz::PredictionsView& predictions = *window.predictions();
  EXPECT_EQ(predictions.figureTitle(), QStringLiteral("Outputs from the whole input"));
  QString csv;
  QTextStream out(&csv);
  predictions.writeCsv(out);
  out.flush();
  EXPECT_EQ(
      csv.toStdString(),
      QStringLiteral("output,value\n\"output 0\",%1\n").arg(QString::number(tape.logits(0, 0), 'g', 9)).toStdString());
  // Drawn: the dock's image holds the title's dark text, not only the white page.
  QImage image(predictions.size(), QImage::Format_RGB32);
  predictions.render(&image);
  int dark = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) dark += qGray(image.pixel(x, y)) < 100;
  EXPECT_GT(dark, 50);

  // Attribution goes back through the convolution and the pooling to the table's 5 rows, labelled by day:
  // gradient × input equals the engine's gradient at the LSTM's input carried back by the front end.
  AttributionPanel& panel = *window.attribution();
  panel.setMethod(AttributionMethod::GradientTimesInput);
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  ASSERT_TRUE(panel.report());
  const MethodAttribution& gxi = panel.report()->methods.front();
  ASSERT_TRUE(gxi.onRawInput);
  ASSERT_EQ(gxi.values.perToken.size(), 5);
  Mat<double> raw(2, 5);
  raw << 1, 0.5, -1, 2, 0, 0, 2, 1, 2, -3;
  const Network<double> vectors = onInputVectors(model.cast<double>());
  const std::vector<Eigen::MatrixXd> layerInputs = stepLayerInputs(model.arch.frontEnd, raw);
  const Mat<double> gradient = stepLayersBackward(model.arch.frontEnd, layerInputs,
                                                  scoreGradient(vectors, layerInputs.back(), panel.report()->target));
  const Vec<double> expected = gradient.cwiseProduct(raw).colwise().sum().transpose();
  EXPECT_LE((gxi.values.perToken - expected).cwiseAbs().maxCoeff(), 1e-12 * (1 + expected.cwiseAbs().maxCoeff()));
  QString shownCsv;
  QTextStream shownOut(&shownCsv);
  panel.textView()->writeCsv(shownOut);
  shownOut.flush();
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"})
    EXPECT_TRUE(shownCsv.contains(QString::fromLatin1(day))) << shownCsv.toStdString();
  // The values are on rows, and the headers and the bars' CSV say so rather than "tokens" and "step".
  EXPECT_TRUE(panel.textView()->rowLabel(0).contains(QStringLiteral("rows 0–4")))
      << panel.textView()->rowLabel(0).toStdString();
  QString barsCsv;
  QTextStream barsOut(&barsCsv);
  panel.barChart()->writeCsv(barsOut);
  barsOut.flush();
  EXPECT_TRUE(barsCsv.startsWith(QStringLiteral("row,token,attribution\n0,"))) << barsCsv.toStdString();
  // LRP stops at the LSTM's steps, and its note says so; all methods leave it out (its positions are others).
  panel.setMethod(AttributionMethod::Lrp);
  QTest::qWait(200);
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  ASSERT_FALSE(panel.report()->methods.front().onRawInput);
  ASSERT_EQ(panel.textView()->rows().size(), 1u);
  EXPECT_EQ(panel.textView()->rows().front().values.size(), 2u);
  EXPECT_TRUE(panel.textView()->rows().front().note.contains(QStringLiteral("at the LSTM's input features")));
  EXPECT_TRUE(panel.textView()->rowLabel(0).contains(QStringLiteral("tokens 0–1")))
      << panel.textView()->rowLabel(0).toStdString();
  panel.setCompareAll(true);
  QTest::qWait(200);
  for (int k = 0; k < 18000 && !panel.settled(); ++k) QTest::qWait(10);
  EXPECT_EQ(panel.textView()->rows().size(), 4u);  // saliency, gradient × input, IG, occlusion
  // A click on a row makes the first step that reads it current: row 4 (fri) is read by step 1 only.
  emit panel.textView()->stepClicked(4);
  EXPECT_EQ(window.state().currentStep, 1);
}

// A model whose front end reads text (an embedding lookup, then a convolution over 2 characters): the Text dock
// takes text, not a table, and each step is labelled with the characters it is computed from.
TEST(FeatureInput, TextThroughAWindowFrontEndIsTypedAndLabelledWithItsCharacters) {
  const test::ScratchDir dir("text-front-end");
  const Model model = test::smallTextFrontEndModel();
  MainWindow window;
  test::prepareForTest(window);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  openOver(window, dir, model, QStringLiteral("abcab"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  const Recording& r = *window.recording();
  ASSERT_EQ(r.steps, 4);
  EXPECT_EQ(r.tokens, (std::vector<std::string>{"ab", "bc", "ca", "ab"}));
  EXPECT_FALSE(window.stepLabelChoice()->isVisibleTo(&window));  // text: no table columns to label by
  // The LSTM reads the front end's output for those ids, computed in float64.
  Eigen::MatrixXd ids(1, 5);
  ids << 0, 1, 2, 0, 1;
  EXPECT_TRUE(r.features.cast<double>().isApprox(applyFrontEnd(model.arch, ids), 1e-6));
  // Too short for the window: said inline, naming what the model needs.
  QSignalSpy failed(&window, &MainWindow::analysisFailed);
  window.setText(QStringLiteral("a"));
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("it needs at least 2 tokens, and the text has 1")))
      << failed.last()[0].toString().toStdString();
}

}  // namespace
}  // namespace lstmscope::app
