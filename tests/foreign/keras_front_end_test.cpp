// Keras layers before the first LSTM that make a front end (per-step layers that do not fold, Conv1D and
// pooling, an Embedding read through them) and heads that flatten every step: computed as Keras computes them,
// labelled with the rows or tokens each step reads, refused by name where the input does not fit, kept by
// native files. The fixtures come from tests/foreign/make_keras_files.py.
#include <gtest/gtest.h>

#include "core/attribution/attribution_report.h"
#include "core/attribution/front_end_attribution.h"
#include "core/common/error.h"
#include "core/engine/record.h"
#include "core/formats/feature_csv.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "tests/foreign/reference_outputs.h"

namespace lstmscope::test {
namespace {

// A features model's front end (Dense with relu, LayerNormalization before the LSTM): the CSV gives the raw
// features, the front end turns them into what the LSTM reads, a native file keeps it.
TEST(KerasFiles, FrontEndIsComputedBeforeTheEngineAndKept) {
  const ImportedModel ff = importModel(kerasFixture("front_end_forecaster.h5"));
  const Architecture& a = ff.model.arch;
  ASSERT_EQ(a.frontEnd.size(), 2u);
  EXPECT_EQ(a.rawFeatureDim(), 3);
  EXPECT_EQ(a.featureDim, 6);
  EXPECT_NE(describeModel(ff.model).find("input: 3 numeric features per step\nfront end: time_distributed "
                                         "(TimeDistributed, relu) → layer_normalization (LayerNormalization, "
                                         "epsilon 0.001), computed before the LSTMs (6 features for lstm 0"),
            std::string::npos)
      << describeModel(ff.model);
  const FeatureSequence table = parseFeatureCsv(a, "a,b,c\n0.5,-1,2\n1,2,3\n", "x.csv", 100);
  ASSERT_EQ(table.inputs.features.rows(), 6);
  Mat<double> raw(3, 2);
  raw << 0.5, 1, -1, 2, 2, 3;
  EXPECT_TRUE(table.inputs.features.cast<double>().isApprox(applyFrontEnd(a, raw), 1e-6));
  EXPECT_EQ(table.stepLabels(1), (std::vector<std::string>{"-1", "2"}));  // the table's own values
  const std::string native = ::testing::TempDir() + "/front_end.lstmscope.h5";
  saveNativeModel(ff.model, native);
  const Model back = loadModel(native);
  ASSERT_EQ(back.arch.frontEnd.size(), 2u);
  EXPECT_EQ(back.arch.frontEnd[0].weight, a.frontEnd[0].weight);
  EXPECT_EQ(back.arch.frontEnd[1].scale, a.frontEnd[1].scale);
  EXPECT_LE(worstAgainstReference(back.cast<double>(), kerasFixture("front_end_forecaster_expected.h5"), 1e-9), 1.0);
}

// A front end over time (Conv1D same + MaxPooling1D 2): the table's rows become fewer LSTM steps, each labelled
// with the rows it is computed from; a table shorter than the windows is refused by name; a native file keeps
// the windows.
TEST(KerasFiles, WindowFrontEndChangesTheTimeAxisAndLabelsStepsWithTheirRows) {
  const ImportedModel cf = importModel(kerasFixture("conv_forecaster.h5"));
  const Architecture& a = cf.model.arch;
  ASSERT_EQ(a.frontEnd.size(), 2u);
  EXPECT_EQ(a.frontEnd[0].kind, StepLayer::Kind::Conv);
  EXPECT_EQ(a.frontEnd[1].kind, StepLayer::Kind::MaxPool);
  EXPECT_EQ(a.rawFeatureDim(), 3);
  EXPECT_EQ(a.featureDim, 8);
  EXPECT_NE(describeModel(cf.model).find("front end: conv1d (Conv1D, 8 filters, kernel 3, same, relu) → "
                                         "max_pooling1d (MaxPooling1D, pool 2, stride 2, valid)"),
            std::string::npos)
      << describeModel(cf.model);
  const std::string csv = "day,a,b,c\nmon,1,2,3\ntue,0,1,0\nwed,2,0,1\nthu,1,1,1\nfri,-1,0,2\n";
  const FeatureSequence table = parseFeatureCsv(a, csv, "x.csv", 100);
  EXPECT_EQ(table.steps(), 2);  // 5 rows → same convolution keeps 5 → pooling by 2 gives 2
  EXPECT_EQ(table.rawFeatures.cols(), 5);
  // Step 0 pools rows 0–1 of the convolution, which read rows 0–2 (row −1 is padding); step 1 reads rows 1–4.
  EXPECT_EQ(table.rowsOfStep, (std::vector<RowSpan>{{0, 2}, {1, 4}}));
  EXPECT_EQ(table.stepLabels(-1), (std::vector<std::string>{"0–2", "1–4"}));
  EXPECT_EQ(table.stepLabels(3), (std::vector<std::string>{"wed", "fri"}));  // the last row each step reads
  EXPECT_EQ(table.stepLabels(0), (std::vector<std::string>{"2", "-1"}));
  try {
    parseFeatureCsv(a, "a,b,c\n1,2,3\n", "short.csv", 100);
    ADD_FAILURE() << "one row opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("short.csv"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("needs at least 2 rows, and the table has 1"), std::string::npos) << e.what();
  }
  const std::string native = ::testing::TempDir() + "/conv_front_end.lstmscope.h5";
  saveNativeModel(cf.model, native);
  const Model back = loadModel(native);
  ASSERT_EQ(back.arch.frontEnd.size(), 2u);
  EXPECT_EQ(back.arch.frontEnd[0].weight, a.frontEnd[0].weight);
  EXPECT_EQ(back.arch.frontEnd[1].window, 2);
  EXPECT_EQ(back.arch.frontEnd[1].stride, 2);
  EXPECT_EQ(back.arch.frontEnd[0].padding, StepLayer::Padding::Same);
  EXPECT_LE(worstAgainstReference(back.cast<double>(), kerasFixture("conv_forecaster_expected.h5"), 1e-9), 1.0);
  // The causal, dilated, strided chain keeps its options too.
  const Model causal = loadModel(kerasFixture("conv_causal.keras"));
  const std::string native2 = ::testing::TempDir() + "/conv_causal.lstmscope.h5";
  saveNativeModel(causal, native2);
  const Model causalBack = loadModel(native2);
  ASSERT_EQ(causalBack.arch.frontEnd.size(), 3u);
  EXPECT_EQ(causalBack.arch.frontEnd[0].padding, StepLayer::Padding::Causal);
  EXPECT_EQ(causalBack.arch.frontEnd[0].dilation, 2);
  EXPECT_EQ(causalBack.arch.frontEnd[2].stride, 2);
  EXPECT_LE(worstAgainstReference(causalBack.cast<double>(), kerasFixture("conv_causal_expected.h5"), 1e-9), 1.0);
}

// The IMDB CNN-LSTM (Embedding → Conv1D → MaxPooling1D → LSTM): the model reads text through its front end,
// whose first layer looks the ids up; each LSTM step is labelled with its tokens; a native file keeps the
// table and the vocabulary.
TEST(KerasFiles, TextThroughAWindowFrontEndIsTokenizedAndLabelledWithItsTokens) {
  const ImportedModel ic = importModel(kerasFixture("imdb_cnn_lstm.h5"));
  const Architecture& a = ic.model.arch;
  ASSERT_TRUE(a.frontEndReadsTokens());
  EXPECT_TRUE(a.readsText());
  EXPECT_EQ(a.task, Task::Classifier);
  ASSERT_EQ(a.frontEnd.size(), 3u);
  EXPECT_EQ(a.frontEnd[0].kind, StepLayer::Kind::Lookup);
  EXPECT_EQ(a.vocab.size(), 12);
  EXPECT_NE(describeModel(ic.model).find("input: words, vocabulary 12, no UNK, through the front end\nfront end: "
                                         "embedding (Embedding, 12 tokens of width 5) → conv1d (Conv1D, 6 filters, "
                                         "kernel 3, same, relu) → max_pooling1d"),
            std::string::npos)
      << describeModel(ic.model);
  const EncodedText text = encodeText(a, "3 5 7 2 9", "--text", 100);
  EXPECT_EQ(text.inputs.steps, 2);
  EXPECT_TRUE(text.inputs.tokens.empty());
  EXPECT_EQ(text.inputs.features.rows(), 6);
  EXPECT_EQ(text.surface, (std::vector<std::string>{"3 5 7", "5 7 2 9"}));
  try {
    encodeText(a, "4", "--text", 100);
    ADD_FAILURE() << "one token opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("it needs at least 2 tokens, and the text has 1"), std::string::npos)
        << e.what();
  }
  try {
    parseFeatureCsv(a, "1,2\n", "t.csv", 10);
    ADD_FAILURE() << "a table opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("the model reads text"), std::string::npos) << e.what();
  }
  // Attribution goes back through the front end to the tokens: the text keeps their ids and texts, and a token
  // baseline is that token's embedding at every position (this vocabulary has no pad token to name).
  EXPECT_EQ(text.raw, (Mat<float>(1, 5) << 3, 5, 7, 2, 9).finished());
  EXPECT_EQ(text.rawSurface, (std::vector<std::string>{"3", "5", "7", "2", "9"}));
  ASSERT_EQ(text.rowsOfStep.size(), 2u);
  EXPECT_EQ(text.rowsOfStep[1], (RowSpan{1, 4}));
  EXPECT_EQ(frontEndBaseline(a, 3, 7), a.frontEnd[0].weight.col(7).replicate(1, 3));
  try {
    baselineTokenNamed(a, "pad", "--baseline");
    ADD_FAILURE() << "the pad baseline was taken";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("the vocabulary has no pad token"), std::string::npos) << e.what();
  }
  const std::string native = ::testing::TempDir() + "/imdb_cnn_lstm.lstmscope.h5";
  saveNativeModel(ic.model, native);
  const Model back = loadModel(native);
  ASSERT_TRUE(back.arch.frontEndReadsTokens());
  EXPECT_EQ(back.arch.vocab.tokens(), a.vocab.tokens());
  EXPECT_EQ(back.arch.frontEnd[0].weight, a.frontEnd[0].weight);
  EXPECT_LE(worstAgainstReference(back.cast<double>(), kerasFixture("imdb_cnn_lstm_expected.h5"), 1e-9), 1.0);
}

// A head that flattens every step (Keras' Flatten after an LSTM that returns sequences) reads a fixed number of
// steps: that many open, any other count is refused by name, before the engine; a weights-only file's Flatten is
// taken to flatten when the Dense after it reads a whole number of steps.
TEST(KerasFiles, FlattenHeadsReadAFixedNumberOfSteps) {
  const ImportedModel fl = importModel(kerasFixture("flatten_forecaster.h5"));
  const Architecture& a = fl.model.arch;
  ASSERT_TRUE(a.head);
  EXPECT_EQ(a.head->reads, HeadReads::Flatten);
  EXPECT_EQ(a.head->steps, 6);
  EXPECT_EQ(a.task, Task::Regression);
  EXPECT_NE(describeModel(fl.model).find("reads every step, flattened (exactly 6 steps)"), std::string::npos)
      << describeModel(fl.model);
  std::string rows = "a,b,c\n";
  for (int t = 0; t < 6; ++t) rows += "1,2,3\n";
  EXPECT_EQ(parseFeatureCsv(a, rows, "six.csv", 100).steps(), 6);
  try {
    parseFeatureCsv(a, rows + "4,5,6\n", "seven.csv", 100);
    ADD_FAILURE() << "seven rows opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("seven.csv: the model's head flattens exactly 6 steps (a Keras Flatten "
                                         "after the LSTM), and this input gives 7; give exactly that many rows"),
              std::string::npos)
        << e.what();
  }
  // Cut into segments, each would be an input of its own: refused, and not in a classifier's words.
  struct Nothing : RecordObserver {
    void onStates(const StateBlock&) override {}
    void onOutputs(long, long, const float*, const float*, int) override {}
  } nothing;
  RecordRequest twoSegments;
  twoSegments.segments = 2;
  try {
    record(fl.model, parseFeatureCsv(a, rows, "six.csv", 100).inputs, twoSegments, nothing);
    ADD_FAILURE() << "recorded in two segments";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "the model's head reads the whole sequence (one output per sequence): record it in one segment "
              "(--batch 1)");
  }
  const std::string native = ::testing::TempDir() + "/flatten.lstmscope.h5";
  saveNativeModel(fl.model, native);
  const Model back = loadModel(native);
  EXPECT_EQ(back.arch.head->steps, 6);
  EXPECT_LE(worstAgainstReference(back.cast<double>(), kerasFixture("flatten_forecaster_folded_expected.h5"), 1e-9),
            1.0);
  // Weights only: the Dense reads three steps of the LSTM's 7 units.
  const ImportedModel weights = importModel(kerasFixture("hostile/flatten_weights.h5"));
  ASSERT_TRUE(weights.model.arch.head);
  EXPECT_EQ(weights.model.arch.head->reads, HeadReads::Flatten);
  EXPECT_EQ(weights.model.arch.head->steps, 3);
  EXPECT_TRUE(weights.model.arch.cutOff.empty());
}

}  // namespace
}  // namespace lstmscope::test
