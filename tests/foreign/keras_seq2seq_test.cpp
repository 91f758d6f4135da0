// Keras encoder–decoders (LSTM → RepeatVector → LSTM → TimeDistributed(Dense), docs/IMPORT.md
// "Encoder-decoders"): the encoder runs in the front end over the input's steps, the decoder is the model's
// LSTM stack over the repeats, and `part: encoder` opens the encoder alone on its own time axis. Checked
// against numpy computing each layer as Keras does (tests/foreign/make_keras_files.py): the outputs and the
// decoder's h at every step, the encoder's last state.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "core/analysis/recording.h"
#include "core/formats/feature_csv.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "core/formats/trace_file.h"
#include "core/model/encoder_lstm.h"
#include "core/model/model.h"
#include "tests/foreign/reference_outputs.h"
#include "tests/support/run_command.h"

namespace lstmscope::test {
namespace {

ImportChoices encoderPart() {
  ImportChoices choices;
  choices.part = "encoder";
  return choices;
}

TEST(KerasSeq2Seq, AForecasterOpensAsItsDecoderReadingTheEncoder) {
  const ImportedModel imported = importModel(kerasFixture("seq2seq_forecaster.h5"));
  const Architecture& a = imported.model.arch;
  ASSERT_EQ(a.frontEnd.size(), 2u);
  EXPECT_EQ(a.frontEnd[0].kind, StepLayer::Kind::Recurrent);
  EXPECT_EQ(a.frontEnd[0].gateActivation, "hard_sigmoid");
  EXPECT_FALSE(a.frontEnd[0].returnSequences);
  EXPECT_EQ(a.frontEnd[1].kind, StepLayer::Kind::Repeat);
  EXPECT_EQ(a.frontEnd[1].repeats, 4);
  ASSERT_EQ(a.layers.size(), 1u);  // the decoder
  EXPECT_EQ(a.layers[0].cell, CellActivation::Relu);
  EXPECT_EQ(a.rawFeatureDim(), 3);
  EXPECT_EQ(a.featureDim, 6);
  ASSERT_TRUE(a.head);
  EXPECT_EQ(a.head->reads, HeadReads::EachStep);
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture("seq2seq_forecaster_expected.h5"), 1e-5), 1.0);
  const std::string assumptions = allAssumptions(imported);
  EXPECT_NE(assumptions.find("encoder–decoder: the encoder (encoder) runs over the input's steps"), std::string::npos)
      << assumptions;
  EXPECT_NE(describeModel(imported.model).find("time: two axes"), std::string::npos) << describeModel(imported.model);

  // Any number of rows gives the decoder's 4 steps, named by their place in the output.
  const FeatureSequence table = parseFeatureCsv(a, "a,b,c\n1,2,3\n0.5,-1,2\n0,0,1\n2,1,0\n-1,0,1\n", "x.csv", 100);
  EXPECT_EQ(table.inputs.steps, 4);
  EXPECT_EQ(table.stepLabels(-1), (std::vector<std::string>{"out 1", "out 2", "out 3", "out 4"}));

  // The native file keeps the encoder: the same numbers after a round trip.
  const std::string native = ::testing::TempDir() + "seq2seq_native.h5";
  saveNativeModel(imported.model, native);
  EXPECT_LE(worstAgainstReference(loadNativeModel(native), kerasFixture("seq2seq_forecaster_expected.h5"), 1e-5), 1.0);
  std::filesystem::remove(native);
}

TEST(KerasSeq2Seq, TextToTextReadsTokensThroughTwoEncoderLstms) {
  const ImportedModel imported = importModel(kerasFixture("seq2seq_text.h5"));
  const Architecture& a = imported.model.arch;
  EXPECT_TRUE(a.frontEndReadsTokens());
  ASSERT_EQ(a.frontEnd.size(), 4u);  // lookup, encoder_1, encoder_2, repeat
  EXPECT_TRUE(a.frontEnd[1].returnSequences);
  EXPECT_FALSE(a.frontEnd[2].returnSequences);
  EXPECT_EQ(a.layers.size(), 2u);
  EXPECT_EQ(a.task, Task::Tagger);  // classes at each decoder step, not numbers
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture("seq2seq_text_expected.h5"), 1e-5), 1.0);
  const EncodedText text = encodeText(a, "3 5 7 1", "x", 1000);
  EXPECT_EQ(text.inputs.steps, 3);
  EXPECT_EQ(text.surface, (std::vector<std::string>{"out 1", "out 2", "out 3"}));
}

// The decoder's model keeps its encoder in the front end; the Encoder dock shows that encoder's states over the
// input's steps (encoderStates). They are the states the engine records for the encoder opened alone.
TEST(KerasSeq2Seq, TheFrontEndsEncoderStatesAreTheEncoderPartsRecording) {
  const ImportedModel whole = importModel(kerasFixture("seq2seq_text.h5"));
  const ImportedModel encoder = importModel(kerasFixture("seq2seq_text.h5"), {}, encoderPart());
  const EncodedText text = encodeText(encoder.model.arch, "3 5 7 1 9 2", "x", 1000);
  const Recording recorded = recordInMemory(encoder.model, text);
  Eigen::MatrixXd ids(1, 6);
  ids << 3, 5, 7, 1, 9, 2;
  const std::vector<EncoderStates> states = encoderStates(whole.model.arch.frontEnd, ids);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].name, "encoder_1");
  EXPECT_EQ(states[1].name, "encoder_2");
  for (int layer = 0; layer < 2; ++layer) {
    ASSERT_EQ(states[layer].h.cols(), 6);
    EXPECT_LE(relativeError(states[layer].h, recorded.values(layer, 0, Quantity::H).cast<double>()), 1e-6) << layer;
    EXPECT_LE(relativeError(states[layer].c, recorded.values(layer, 0, Quantity::C).cast<double>()), 1e-6) << layer;
  }
  EXPECT_TRUE(
      encoderStates(importModel(kerasFixture("conv_forecaster.h5")).model.arch.frontEnd, Eigen::MatrixXd::Ones(3, 8))
          .empty());
}

// part: encoder opens the encoder on the input's own steps, its head and decoder said as cut off.
TEST(KerasSeq2Seq, ThePartEncoderOpensTheEncoderOnItsOwnTimeAxis) {
  const ImportedModel forecaster = importModel(kerasFixture("seq2seq_forecaster.h5"), {}, encoderPart());
  EXPECT_TRUE(forecaster.model.arch.frontEnd.empty());
  EXPECT_FALSE(forecaster.model.arch.head);
  EXPECT_EQ(forecaster.report.cutOff,
            "the encoder alone (part: encoder), cut off the decoder from repeat_vector on (repeat_vector "
            "(RepeatVector), decoder (LSTM), time_distributed (TimeDistributed)): the steps are the input's, the "
            "model gives no outputs here, and attribution targets are units");
  EXPECT_LE(worstAgainstReference(forecaster.model, kerasFixture("seq2seq_forecaster_encoder_expected.h5"), 1e-5), 1.0);
  const ImportedModel text = importModel(kerasFixture("seq2seq_text.h5"), {}, encoderPart());
  EXPECT_EQ(text.model.arch.layers.size(), 2u);
  EXPECT_EQ(text.model.arch.inputKind, InputKind::Tokens);
  EXPECT_LE(worstAgainstReference(text.model, kerasFixture("seq2seq_text_encoder_expected.h5"), 1e-5), 1.0);
  try {
    importModel(kerasFixture("forecaster.h5"), {}, encoderPart());
    ADD_FAILURE() << "a model without a RepeatVector opened as an encoder";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("part encoder: the model has no RepeatVector"), std::string::npos);
  }
}

// A front end of another shape (from a crafted native file) is refused, not run with another meaning.
TEST(KerasSeq2Seq, AnEncoderOfAnotherShapeIsRefused) {
  const Model model = importModel(kerasFixture("seq2seq_forecaster.h5")).model;
  const auto errorOf = [&](const std::function<void(Architecture&)>& change) {
    Model bad = model;
    change(bad.arch);
    try {
      validateModel(bad, "m.h5");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(errorOf([](Architecture&) {}), "no error");
  EXPECT_NE(errorOf([](Architecture& a) {
              a.frontEnd[0].returnSequences = true;
            }).find("front end layer encoder is followed by a repeat, which repeats an encoder LSTM's last state"),
            std::string::npos);
  EXPECT_NE(errorOf([](Architecture& a) { std::swap(a.frontEnd[0], a.frontEnd[1]); }).find("comes first"),
            std::string::npos);
  EXPECT_NE(errorOf([](Architecture& a) { a.frontEnd.pop_back(); }).find("which no repeat follows"), std::string::npos);
  EXPECT_NE(errorOf([](Architecture& a) { a.frontEnd[0].generation = 7; }).find("has generation 7"), std::string::npos);
  EXPECT_NE(errorOf([](Architecture& a) { a.frontEnd[1].repeats = (1 << 20) + 1; }).find("1 to 1048576"),
            std::string::npos);
}

// What a Keras encoder-decoder may hold that LSTMScope does not read is named; its encoder opens alone.
TEST(KerasSeq2Seq, AMaskedDecoderAndAFractionalRepeatAreNamed) {
  for (const auto& [file, why] :
       {std::pair<const char*, const char*>{"hostile/seq2seq_masked_decoder.h5",
                                            "layer masking is a Masking layer after the RepeatVector"},
        {"hostile/seq2seq_fractional_n.h5",
         "layer repeat_vector (RepeatVector) repeats its state n = 2.5 times; LSTMScope reads a whole number"}}) {
    const ImportedModel part = importModel(kerasFixture(file));
    EXPECT_NE(part.report.cutOff.find(why), std::string::npos) << file << ": " << part.report.cutOff;
    EXPECT_TRUE(part.model.arch.frontEnd.empty()) << file;  // the encoder alone
  }
}

// The command line: record shows the decoder's steps, --part encoder the input's.
TEST(KerasSeq2Seq, RecordWritesEitherTimeAxis) {
  const std::string csv = ::testing::TempDir() + "seq2seq_rows.csv";
  { std::ofstream(csv) << "a,b,c\n1,2,3\n0.5,-1,2\n0,0,1\n2,1,0\n-1,0,1\n"; }
  const std::string trace = ::testing::TempDir() + "seq2seq_trace.h5";
  const std::string record = std::string(LSTMSCOPE_CLI) + " record --model " +
                             shellQuoted(kerasFixture("seq2seq_forecaster.h5")) + " --csv " + shellQuoted(csv) +
                             " --quiet --out " + shellQuoted(trace);
  const CommandResult decoder = runCommand(record);
  ASSERT_EQ(decoder.exitCode, 0) << decoder.output;
  EXPECT_EQ(TraceReader(trace).steps(), 4);
  EXPECT_EQ(TraceReader(trace).tokenText().front(), "out 1");
  const CommandResult encoder = runCommand(record + " --part encoder");
  ASSERT_EQ(encoder.exitCode, 0) << encoder.output;
  EXPECT_EQ(TraceReader(trace).steps(), 5);  // the rows
  const CommandResult bad = runCommand(record + " --part middle");
  EXPECT_EQ(bad.exitCode, 2) << bad.output;
  // Cut into segments, later decoder steps would start from a zero state: refused.
  const CommandResult batch = runCommand(record + " --batch 2");
  EXPECT_EQ(batch.exitCode, 3) << batch.output;
  EXPECT_NE(batch.output.find("the model is an encoder-decoder"), std::string::npos) << batch.output;
  // The decoder's steps come from the model, not the table: --max-steps bounds them before anything runs.
  {
    std::ofstream(csv, std::ios::trunc) << "a,b,c\n1,2,3\n0.5,-1,2\n";  // 2 rows, within the limit of 3
  }
  const CommandResult limit = runCommand(record + " --max-steps 3");
  EXPECT_EQ(limit.exitCode, 3) << limit.output;
  EXPECT_NE(limit.output.find("the model's front end gives 4 steps"), std::string::npos) << limit.output;
  std::filesystem::remove(trace);
  std::filesystem::remove(csv);
}

}  // namespace
}  // namespace lstmscope::test
