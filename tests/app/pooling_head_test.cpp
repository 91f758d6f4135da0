// A classifier whose head pools every step over skip connections (textgenrnn's kind: attention over the
// embedding and both LSTMs, one output per token) in the app: the Predictions dock shows its one prediction
// from the whole text, drawn, the heatmap a strip of the weight the head gave each step, and a click on a
// prediction asks Attribution to explain that output.
#include <gtest/gtest.h>

#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include "app/gui/main_window.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "core/training/init.h"
#include "tests/app/test_window.h"
#include "tests/support/test_models.h"

namespace lstmscope::app {
namespace {

Model attentionModel() {
  Architecture a;
  a.name = "attention_skip";
  a.task = Task::Classifier;
  a.vocab = Vocabulary(TokenLevel::Char, {"<pad>", "a", "b", "c", " ", "<s>"});
  a.layers = {LayerSpec{6}, LayerSpec{5}};
  a.head = HeadSpec{{}, HeadActivation::Softmax, HeadReads::AttentionPool, a.vocab.tokens(), {0, 1, 2}, 1e-7};
  Model m = initialiseModel(a, {4, {}, a.vocab.size()}, 7);
  m.params.forEachTensor([](auto& t) { t *= 3.0f; });  // a confident prediction
  return m;
}

bool hasColour(const QImage& image, QColor colour) {
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if (image.pixelColor(x, y) == colour) return true;
  return false;
}

TEST(PoolingHead, PredictionsShowTheWholeTextsPredictionAndExplainIt) {
  const test::ScratchDir dir("pooling-head");
  const std::string path = dir.file("attention.h5");
  saveNativeModel(attentionModel(), path);
  MainWindow window;
  test::prepareForTest(window);
  QSignalSpy shown(&window, &MainWindow::analysisShown);
  window.setText(QStringLiteral("abc cab ba"));
  window.openModel(QString::fromStdString(path));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();

  const Recording& r = *window.recording();
  ASSERT_EQ(r.probs.cols(), 1);  // one prediction for the text
  Eigen::Index best = 0;
  r.probs.col(0).maxCoeff(&best);
  viz::PredictionsView* predictions = window.predictions();
  const viz::PredictionsView::Summary s = predictions->summary();
  ASSERT_EQ(s.top.size(), 5u);
  EXPECT_EQ(s.top[0].id, best);
  EXPECT_FLOAT_EQ(s.top[0].probability, r.probs(best, 0));
  EXPECT_EQ(s.nextId, -1);
  EXPECT_EQ(predictions->figureTitle(), QStringLiteral("Predictions from the whole input"));

  // Above the heatmap, the weight the head gave each step: the attention weights of a forward pass.
  const std::vector<viz::MetaStrip>& strips = window.heatmap()->metaStrips();
  ASSERT_EQ(strips.size(), 1u);
  EXPECT_EQ(strips[0].style.name, QStringLiteral("attention"));
  ASSERT_EQ(strips[0].values.size(), static_cast<size_t>(r.steps));
  Inputs<float> in;
  in.steps = static_cast<int>(r.steps);
  in.tokens = r.ids;
  Tape<float> tape;
  forward(loadNativeModel(path), in, tape);
  double sum = 0;
  for (long t = 0; t < r.steps; ++t) {
    EXPECT_EQ(strips[0].values[static_cast<size_t>(t)], tape.headWeights(0, t)) << t;
    sum += strips[0].values[static_cast<size_t>(t)];
  }
  EXPECT_NEAR(sum, 1.0, 1e-5);  // a softmax over the steps (less Keras' epsilon)

  // Drawn: the bars (the steel blue of a prediction that is not the next token) in the dock.
  QTest::qWait(50);
  const QImage image = predictions->grab().toImage();
  EXPECT_TRUE(hasColour(image, QColor(70, 130, 180))) << "no prediction bar was drawn";
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {
    image.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/pooling-head-predictions.png"));
    window.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/pooling-head-window.png"));
  }

  // A click on the second prediction: Attribution explains that output of the whole text.
  const int second = s.top[1].id;
  QPoint row(predictions->width() / 2, 0);
  for (int y = 0; y < predictions->height() && predictions->predictionAt(row) != second; ++y) row.setY(y);
  ASSERT_EQ(predictions->predictionAt(row), second) << "no row of the dock holds the second prediction";
  QTest::mouseClick(predictions, Qt::LeftButton, Qt::NoModifier, row);
  EXPECT_EQ(window.attribution()->target().output, second);
  EXPECT_TRUE(window.attribution()->targetDescription().contains(QStringLiteral("the text's class")))
      << window.attribution()->targetDescription().toStdString();

  // The picked output is kept while other steps are made current (a click on the heatmap, a brush):
  // a classifier's chosen class is still the question, and its one output follows the last step.
  window.pickCurrent(2, 0);
  EXPECT_EQ(window.attribution()->target().output, second);
  EXPECT_EQ(window.attribution()->target().step, r.steps - 1);
  window.pickCurrent(5, 0);
  EXPECT_EQ(window.attribution()->target().output, second);
}

}  // namespace
}  // namespace lstmscope::app
