// ONNX models (tests/foreign/make_onnx_files.py): torch.onnx.export against PyTorch's own forward, single
// LSTM nodes of every supported attribute variant against a numpy implementation of the ONNX equations,
// and ONNX's conformance cases test_lstm_* at ONNX's own tolerances.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "tests/foreign/reference_outputs.h"
#include "tests/support/run_command.h"

namespace lstmscope::test {
namespace {

std::string onnxFixture(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/onnx/" + name;
}

class OnnxFile : public ::testing::TestWithParam<std::string> {};

// Float32 within 1e-5 and float64 within 1e-9 (exact layout: gate order i, o, f, c; W and R bias halves).
TEST_P(OnnxFile, OutputsMatchTheReference) {
  const std::string name = GetParam();
  const ImportedModel imported = importModel(onnxFixture(name + ".onnx"));
  EXPECT_LE(worstAgainstReference(imported.model, onnxFixture(name + "_expected.h5"), 1e-5), 1.0) << name;
  EXPECT_LE(worstAgainstReference(imported.model.cast<double>(), onnxFixture(name + "_expected.h5"), 1e-9), 1.0)
      << name;
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxFile,
                         ::testing::Values("torch_char_lm", "torch_bi_classifier", "torch_forecaster", "node_forward",
                                           "node_bidirectional", "node_hard_sigmoid_relu", "node_keras3_hard_sigmoid",
                                           "node_batch_first_no_bias", "node_peepholes", "node_clip",
                                           "node_peepholes_clip_hard_sigmoid", "tf2onnx_style_classifier",
                                           "node_state_input", "node_coupled_gates", "node_reverse",
                                           "node_reverse_peepholes_clip", "tf2onnx_style_go_backwards",
                                           "torch_cnn_lstm", "torch_dense_pool_lstm"));

// ONNX's backend tests compare with rtol 1e-3, atol 1e-7; every batch element is one of our sequences.
TEST(OnnxFiles, ConformanceCasesPassAtOnnxTolerances) {
  for (const std::string name :
       {"test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_batchwise", "test_lstm_with_peepholes"}) {
    const Model model = loadModel(onnxFixture(name + ".onnx"));
    EXPECT_LE(worstAgainstReference(model, onnxFixture(name + "_expected.h5"), 1e-3, 1e-7), 1.0) << name;
  }
}

TEST(OnnxFiles, GraphFactsAreNotAssumptions) {
  const ImportedModel cls = importModel(onnxFixture("torch_bi_classifier.onnx"));
  EXPECT_EQ(cls.model.arch.head->reads, HeadReads::FinalStates);  // from Y_h in the graph
  EXPECT_EQ(cls.model.arch.head->preActivations, std::vector<DenseActivation>{DenseActivation::Relu});
  EXPECT_EQ(cls.model.arch.head->activation, HeadActivation::Softmax);  // logits in the graph: inferred
  for (const auto& a : cls.report.assumptions) EXPECT_EQ(a.find("ReLU"), std::string::npos) << a;
  EXPECT_NE(cls.report.format.find("ONNX (opset 14, written by pytorch)"), std::string::npos) << cls.report.format;
  const Model lm = loadModel(onnxFixture("torch_char_lm.onnx"));
  EXPECT_EQ(lm.arch.task, Task::LanguageModel);
  EXPECT_EQ(lm.arch.head->reads, HeadReads::EachStep);
  EXPECT_EQ(loadModel(onnxFixture("node_hard_sigmoid_relu.onnx")).arch.layers[0].cell, CellActivation::Relu);
  EXPECT_EQ(loadModel(onnxFixture("node_keras3_hard_sigmoid.onnx")).arch.layers[0].gate,
            GateActivation::HardSigmoidKeras3);
  const ImportedModel peep = importModel(onnxFixture("node_peepholes_clip_hard_sigmoid.onnx"));
  EXPECT_TRUE(peep.model.arch.layers[0].peepholes);
  EXPECT_FLOAT_EQ(peep.model.arch.layers[0].clip, 1.5f);
  const auto usesP = [](const TensorUse& t) { return t.name == "P" && t.role == "lstm 0 fwd peephole"; };
  EXPECT_TRUE(std::any_of(peep.report.tensors.begin(), peep.report.tensors.end(), usesP))
      << describeImport(peep.report);
  // direction "reverse": one direction that runs from the last step, reported and stored as bwd.
  const ImportedModel reverse = importModel(onnxFixture("node_reverse_peepholes_clip.onnx"));
  EXPECT_TRUE(reverse.model.arch.layers[0].reverse);
  EXPECT_FALSE(reverse.model.arch.layers[0].bidirectional);
  for (const auto& t : reverse.report.tensors) {
    if (t.role.empty()) continue;
    EXPECT_EQ(t.role.find("lstm 0 bwd "), 0u) << t.name << ": " << t.role;
  }
  // A state the caller would feed is not in the file: the run starts from zeros, and the report says so;
  // torch's and tf2onnx's computed zero states are facts, not assumptions.
  const ImportedModel fed = importModel(onnxFixture("node_state_input.onnx"));
  const auto saysZeros = [](const std::string& a) { return a.find("initial h from 'h0'") != std::string::npos; };
  EXPECT_TRUE(std::any_of(fed.report.assumptions.begin(), fed.report.assumptions.end(), saysZeros))
      << describeImport(fed.report);
  for (const std::string name : {"torch_char_lm", "torch_bi_classifier", "tf2onnx_style_classifier"})
    for (const auto& a : importModel(onnxFixture(name + ".onnx")).report.assumptions)
      EXPECT_EQ(a.find("initial"), std::string::npos) << name << ": " << a;
}

// A CNN-LSTM as torch.onnx.export writes it: its nodes before the LSTM are read as LSTMScope's front end
// (Conv with its ReLU, MaxPool, dilated Conv with its tanh, BatchNormalization), checked against the graph
// on the file (OutputsMatchTheReference checks the numbers against PyTorch); a padding the front ends do not
// model opens the LSTM stack alone, saying which node.
TEST(OnnxFiles, FrontEndsBeforeTheLstmAreReadAndCheckedAgainstTheGraph) {
  const ImportedModel cnn = importModel(onnxFixture("torch_cnn_lstm.onnx"));
  const std::vector<StepLayer>& fe = cnn.model.arch.frontEnd;
  ASSERT_EQ(fe.size(), 4u);
  EXPECT_EQ(fe[0].kind, StepLayer::Kind::Conv);
  EXPECT_EQ(fe[0].padding, StepLayer::Padding::Same);
  EXPECT_EQ(fe[0].activation, "relu");
  EXPECT_EQ(fe[1].kind, StepLayer::Kind::MaxPool);
  EXPECT_EQ(fe[1].stride, 2);
  EXPECT_EQ(fe[2].dilation, 2);
  EXPECT_EQ(fe[2].activation, "tanh");
  EXPECT_EQ(fe[3].kind, StepLayer::Kind::Affine);
  EXPECT_EQ(cnn.model.arch.rawFeatureDim(), 4);
  EXPECT_EQ(cnn.model.arch.featureDim, 5);
  EXPECT_TRUE(cnn.report.cutOff.empty()) << cnn.report.cutOff;
  const auto said = [&](const ImportedModel& m, const std::string& words) {
    return std::any_of(m.report.assumptions.begin(), m.report.assumptions.end(),
                       [&](const std::string& a) { return a.find(words) != std::string::npos; });
  };
  EXPECT_TRUE(said(cnn, "checked against the graph itself"));
  EXPECT_TRUE(said(cnn, "the input is 4 numeric features per step, through the front end"));

  const ImportedModel dense = importModel(onnxFixture("torch_dense_pool_lstm.onnx"));
  ASSERT_EQ(dense.model.arch.frontEnd.size(), 2u);  // the Linear with its ReLU, the AvgPool1d
  EXPECT_EQ(dense.model.arch.frontEnd[0].kind, StepLayer::Kind::Dense);
  EXPECT_EQ(dense.model.arch.frontEnd[0].activation, "relu");
  EXPECT_EQ(dense.model.arch.frontEnd[1].kind, StepLayer::Kind::AveragePool);

  const std::string padded = onnxFixture("torch_padded_pool_lstm.onnx");
  ImportChoices whole;
  whole.wholeModelOnly = true;
  const std::string why = "front end node /pool/Pad (Pad) pads the sequence with constants before a window layer";
  try {
    importModel(padded, {}, whole);
    ADD_FAILURE() << "the padded pooling opened as a whole";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
  const ImportedModel part = importModel(padded);
  EXPECT_NE(part.report.cutOff.find(why), std::string::npos) << part.report.cutOff;
  EXPECT_NE(part.report.cutOff.find("the input is the first LSTM's input features, 6 per step"), std::string::npos)
      << part.report.cutOff;
  EXPECT_TRUE(part.model.arch.frontEnd.empty());

  // Found by review (kept with the fuzz regressions): a graph that also takes h0 as an input keeps its
  // front end (the check does not need h0); a float16 classifier with no front end keeps its head (the
  // front-end reader converts only the constants it reads).
  const std::string regressions = std::string(LSTMSCOPE_SOURCE_DIR) + "/tests/fuzz/regressions/fuzz_onnx/";
  const ImportedModel withState = importModel(regressions + "review_fe_h0_input");
  EXPECT_EQ(withState.model.arch.frontEnd.size(), 1u);
  EXPECT_TRUE(withState.report.cutOff.empty()) << withState.report.cutOff;
  const ImportedModel half = importModel(regressions + "review_fp16_classifier_raw");
  ASSERT_TRUE(half.model.arch.head.has_value()) << half.report.cutOff;
  EXPECT_EQ(half.model.headOutputs(), 3);
  EXPECT_TRUE(half.report.cutOff.empty()) << half.report.cutOff;
}

// Nodes beyond support around the LSTM: the whole graph is refused by name (ImportChoices::wholeModelOnly),
// and by default the LSTM opens alone, its hidden states within 1e-9 of the ONNX equations on the features
// it reads, with what was cut off said first.
TEST(OnnxFiles, BeyondSupportTheLstmOpensAloneAndSaysWhatWasCut) {
  struct Case {
    const char *name, *whyNotWhole, *cutOff;
  };
  for (const Case& c : {Case{"partly_front_end", "node front_abs (Abs) is not a front-end layer LSTMScope reads",
                             "cut off every node that is not an LSTM (front_abs (Abs), head_erf (Erf)): the input is "
                             "the first LSTM's input features, 3 per step, from a CSV table; the model gives no "
                             "outputs here"},
                        Case{"partly_head", "node head_erf (Erf) is not something an LSTM model",
                             "cut off the nodes after the last LSTM (head_erf (Erf)): the model gives no outputs "
                             "here, and attribution targets are units"}}) {
    const std::string path = onnxFixture(std::string(c.name) + ".onnx");
    ImportChoices whole;
    whole.wholeModelOnly = true;
    try {
      importModel(path, {}, whole);
      ADD_FAILURE() << c.name << " opened as a whole";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(c.whyNotWhole), std::string::npos) << e.what();
    }
    const ImportedModel part = importModel(path);
    EXPECT_NE(part.report.cutOff.find(c.whyNotWhole), std::string::npos) << part.report.cutOff;
    EXPECT_NE(part.report.cutOff.find(c.cutOff), std::string::npos) << part.report.cutOff;
    ASSERT_FALSE(part.report.assumptions.empty());
    EXPECT_EQ(part.report.assumptions.front(), part.report.cutOff);
    EXPECT_FALSE(part.model.arch.head.has_value());
    const std::string expected = onnxFixture(std::string(c.name) + "_expected.h5");
    EXPECT_LE(worstAgainstReference(part.model, expected, 1e-5), 1.0) << c.name;
    EXPECT_LE(worstAgainstReference(part.model.cast<double>(), expected, 1e-9), 1.0) << c.name;
  }
}

TEST(OnnxFiles, UnsupportedGraphsAreRefusedByName) {
  expectRefusedByName(onnxFixture,
                      {
                          {"hostile/gru.onnx", "node GRU (GRU) is not something an LSTM model of LSTMScope contains"},
                          {"hostile/zero_clip.onnx", "has clip 0.000000, not > 0"},
                          {"hostile/truncated.onnx", "is not an ONNX model"},
                          {"hostile/layout7.onnx", "(LSTM) has layout 7, not 0 or 1"},
                          {"hostile/input_forget5.onnx", "(LSTM) has input_forget 5, not 0 or 1"},
                          {"hostile/self_reading.onnx", "node loop (LSTM) reads its own output 'Y'"},
                          {"hostile/computed_between_lstms.onnx", "node lstm_1 (LSTM) comes after a dense layer"},
                          {"hostile/side_by_side_lstms.onnx",
                           "node lstm_1 (LSTM) reads 'X', which is not the previous LSTM's output passed on by shape "
                           "operators alone"},
                      });
  const CommandResult r =
      runCommand(std::string(LSTMSCOPE_CLI) + " info " + shellQuoted(onnxFixture("hostile/gru.onnx")));
  EXPECT_EQ(r.exitCode, 3) << r.output;
}

}  // namespace
}  // namespace lstmscope::test

namespace lstmscope::test {
namespace {

std::string onnxFixture(const std::string& name);

std::vector<std::pair<std::string, Eigen::VectorXf>> parameters(const Model& m) {
  std::vector<std::pair<std::string, Eigen::VectorXf>> out;
  m.params.forEach(m.arch, [&](const std::string& n, const auto& t) {
    out.emplace_back(n, Eigen::Map<const Eigen::VectorXf>(t.data(), t.size()));
  });
  return out;
}

void expectIdentical(const Model& a, const Model& b, const std::string& what) {
  const auto pa = parameters(a), pb = parameters(b);
  ASSERT_EQ(pa.size(), pb.size()) << what;
  for (size_t k = 0; k < pa.size(); ++k) {
    EXPECT_EQ(pa[k].first, pb[k].first) << what;
    EXPECT_TRUE(pa[k].second == pb[k].second) << what << ": " << pa[k].first;
  }
  EXPECT_EQ(toString(a.arch.task), toString(b.arch.task)) << what;
  EXPECT_EQ(describeModel(a).substr(describeModel(a).find('\n')), describeModel(b).substr(describeModel(b).find('\n')))
      << what;
}

// The same weights through different frameworks' files give bit-identical models, hence identical
// recordings: PyTorch's state dict and its ONNX export; a Keras model as .h5, as weights-only .h5 and as TF.js.
TEST(CrossFormat, SameWeightsGiveIdenticalModels) {
  for (const std::string name : {"torch_char_lm", "torch_bi_classifier", "torch_forecaster"}) {
    ImportChoices sameHead;  // a state dict cannot say what the graph says; give it the same facts
    if (name == "torch_bi_classifier") sameHead.preActivations = std::vector<DenseActivation>{DenseActivation::Relu};
    expectIdentical(loadModel(onnxFixture(name + ".onnx")), importModel(onnxFixture(name + ".pt"), "", sameHead).model,
                    name);
  }
  const std::string keras = std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/";
  const Model h5 = loadModel(keras + "tfkeras_lm.h5");
  expectIdentical(h5, loadModel(keras + "tfkeras_lm_weights.h5"), "Keras weights-only");
  expectIdentical(h5, loadModel(keras + "tfjs_lm/model.json"), "TF.js");
}

// Peepholes and clip survive `convert` to the native file: same numbers, same outputs as ONNX's equations.
TEST(CrossFormat, PeepholesAndClipSurviveTheNativeFile) {
  const std::string native = ::testing::TempDir() + "/peepholes_clip.lstmscope.h5";
  const Model onnx = loadModel(onnxFixture("node_peepholes_clip_hard_sigmoid.onnx"));
  saveNativeModel(onnx, native);
  const Model back = loadModel(native);
  expectIdentical(onnx, back, "native file");
  EXPECT_NE(describeModel(back).find("peepholes, clip 1.5"), std::string::npos) << describeModel(back);
  EXPECT_LE(worstAgainstReference(back, onnxFixture("node_peepholes_clip_hard_sigmoid_expected.h5"), 1e-5), 1.0);
}

// A reverse layer is stored as its bwd group alone and comes back reverse, with the same outputs.
TEST(CrossFormat, ReverseLayersSurviveTheNativeFile) {
  const std::string keras = std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {onnxFixture("node_reverse_peepholes_clip.onnx"), onnxFixture("node_reverse_peepholes_clip_expected.h5")},
      {keras + "go_backwards_forecaster.h5", keras + "go_backwards_forecaster_expected.h5"}};
  for (const auto& [file, expected] : cases) {
    const std::string native = ::testing::TempDir() + "/reverse.lstmscope.h5";
    const Model original = loadModel(file);
    saveNativeModel(original, native);
    const Model back = loadModel(native);
    expectIdentical(original, back, file);
    EXPECT_TRUE(back.arch.layers[0].reverse) << file;
    EXPECT_NE(describeModel(back).find("reverse (last step first)"), std::string::npos) << describeModel(back);
    h5::File f = h5::File::openReadOnly(native);
    EXPECT_TRUE(h5::exists(f.id(), "lstm/0/bwd/W_ih")) << file;
    EXPECT_FALSE(h5::exists(f.id(), "lstm/0/fwd")) << file;
    EXPECT_LE(worstAgainstReference(back, expected, 1e-5), 1.0) << file;
  }
}

}  // namespace
}  // namespace lstmscope::test
