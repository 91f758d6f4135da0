// What a Keras weights-only file (save_weights) does not say, and where LSTMScope finds it
// (docs/IMPORT.md "What the file does not say", "Architecture beside the weights"): the gates' activation
// defaults to the one of the Keras that wrote the file (hard_sigmoid before 2.3.0), textgenrnn's layer names
// say sigmoid, and a model.to_json() file beside the weights gives the whole architecture. Each file is
// checked against the numpy reference of the model it was saved from (tests/foreign/make_keras_files.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/formats/foreign/keras_sibling_config.h"
#include "core/formats/model_loader.h"
#include "core/intervention/generation.h"
#include "tests/foreign/reference_outputs.h"

namespace lstmscope::test {
namespace {

namespace fs = std::filesystem;

TEST(KerasWeightsOnly, AKeras22FileGetsHardSigmoidGatesAsThatKerasDefaulted) {
  const ImportedModel imported = importModel(kerasFixture("functional_classifier_weights.h5"));
  EXPECT_EQ(imported.model.arch.layers[0].gate, GateActivation::HardSigmoid);
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture("functional_classifier_expected.h5"), 1e-5), 1.0);
  EXPECT_NE(allAssumptions(imported).find("LSTM activations are tanh and hard_sigmoid (keras 2.2.4's default: Keras "
                                          "defaulted to hard_sigmoid until 2.2.5)"),
            std::string::npos)
      << allAssumptions(imported);
}

TEST(KerasWeightsOnly, TextgenrnnsLayerNamesSaySigmoidWhateverTheKerasVersion) {
  const ImportedModel imported = importModel(kerasFixture("textgen_plain_weights.h5"));  // Keras 2.2.4
  for (const auto& layer : imported.model.arch.layers) EXPECT_EQ(layer.gate, GateActivation::Sigmoid);
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture("attention_skip_expected.h5"), 1e-5), 1.0);
  EXPECT_NE(allAssumptions(imported).find("textgenrnn's layer names (rnn_1, rnn_concat, attention): its code sets "
                                          "sigmoid gates"),
            std::string::npos)
      << allAssumptions(imported);
}

// textgenrnn predicts one character after the whole text (attention over every step): generate, which reads
// a prediction at every step, says so rather than that the model is no language model.
TEST(KerasWeightsOnly, GenerateSaysWhyAPooledHeadIsNotExtended) {
  const Model model = importModel(kerasFixture("textgen_plain_weights.h5")).model;
  std::string error = "no error";
  try {
    generate(model, {1, 2}, InterventionPlan{}, GenerationRequest{}, {});
  } catch (const InputError& e) {
    error = e.what();
  }
  EXPECT_EQ(error,
            "generation needs a language model that predicts the next token at every step and reads only the "
            "past: this model's head reads the whole text at once (attention_pool) and predicts one token after "
            "it, which generation does not run");
}

// relu cells and sigmoid gates, saved by Keras 2.1.2 as model.to_json() + save_weights: the JSON is found
// beside the weights and read as the model's config, so nothing is guessed.
TEST(KerasWeightsOnly, TheArchitectureJsonBesideTheWeightsIsRead) {
  const ImportedModel imported = importModel(kerasFixture("relu_forecaster_weights.h5"));
  EXPECT_EQ(imported.model.arch.layers[0].cell, CellActivation::Relu);
  EXPECT_EQ(imported.model.arch.layers[0].gate, GateActivation::Sigmoid);
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture("forecaster_expected.h5"), 1e-5), 1.0);
  EXPECT_EQ(imported.report.format,
            "Keras 2 HDF5 weights-only (keras 2.1.2), architecture from relu_forecaster_architecture.json");
  const std::string assumptions = allAssumptions(imported);
  EXPECT_NE(assumptions.find("the architecture is read from relu_forecaster_architecture.json beside the weights"),
            std::string::npos)
      << assumptions;
  EXPECT_EQ(assumptions.find("weights-only file: layer"), std::string::npos) << assumptions;  // nothing guessed
}

// A JSON beside the weights that is a model config of other layers is named and not used; one that is
// not a model config (a vocabulary) is passed over without a word; without it the defaults apply.
TEST(KerasWeightsOnly, AJsonBesideTheWeightsThatIsNotTheirsIsNotUsed) {
  const fs::path folder = fs::path(::testing::TempDir()) / "keras_sibling";
  fs::remove_all(folder);
  fs::create_directories(folder);
  const fs::path weights = folder / "model.h5";
  fs::copy_file(kerasFixture("relu_forecaster_weights.h5"), weights);
  std::ofstream(folder / "model.json") << R"({"class_name": "Sequential", "config": {"name": "s", "layers": [)"
                                       << R"({"class_name": "LSTM", "config": {"name": "encoder", "units": 10}}]}})";
  const ImportedModel other = importModel(weights.string());
  EXPECT_NE(allAssumptions(other).find("model.json beside the weights is not used: it is a model config, but it "
                                       "names no layer lstm, which the weights file holds"),
            std::string::npos)
      << allAssumptions(other);
  EXPECT_EQ(other.model.arch.layers[0].cell, CellActivation::Tanh);  // guessed: 2.1.2's defaults
  EXPECT_EQ(other.model.arch.layers[0].gate, GateActivation::HardSigmoid);

  std::ofstream(folder / "model.json", std::ios::trunc) << R"({"hello": 1, "world": 2})";
  const ImportedModel vocabulary = importModel(weights.string());
  EXPECT_EQ(allAssumptions(vocabulary).find("beside the weights"), std::string::npos) << allAssumptions(vocabulary);

  std::ofstream(folder / "model.json", std::ios::trunc) << R"({"class_name": "Sequential", "config": [)";
  EXPECT_NE(allAssumptions(importModel(weights.string())).find("model.json beside the weights is not used: "),
            std::string::npos);
  fs::remove_all(folder);
}

TEST(KerasWeightsOnly, SiblingCandidatesFollowTheCommonNamings) {
  EXPECT_EQ(siblingConfigCandidates("/d/lstm_weights.h5"),
            (std::vector<std::string>{"/d/lstm_weights.json", "/d/lstm_architecture.json", "/d/lstm_model.json",
                                      "/d/lstm_config.json", "/d/lstm_arch.json", "/d/lstm.json"}));
  EXPECT_EQ(siblingConfigCandidates("/d/model.h5"), std::vector<std::string>{"/d/model.json"});
  EXPECT_EQ(siblingConfigCandidates("weights.hdf5"),
            (std::vector<std::string>{"weights.json", "architecture.json", "model.json", "config.json", "arch.json"}));
}

}  // namespace
}  // namespace lstmscope::test
