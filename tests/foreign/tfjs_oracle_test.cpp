// TF.js models against TF.js itself: tests/foreign/tfjs_oracle.js runs each fixture with the npm package
// @tensorflow/tfjs (the `foreign_tfjs_oracle` fixture test) and our engine must predict the same, within
// 1e-5 in float32. The fixtures cover a converter-written language model (LSTM, Dropout, Bidirectional,
// two Dense), a quantized Bidirectional classifier with hard-sigmoid gates, and go_backwards layers (one on
// its own; two, which cancel) — so TF.js also checks how we read Keras' go_backwards.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/engine/forward.h"
#include "core/formats/model_loader.h"
#include "tests/engine/oracle_support.h"
#include "tests/support/files.h"

namespace lstmscope::test {
namespace {

std::string fixtureDir(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/" + name;
}

class TfjsOracle : public ::testing::TestWithParam<std::string> {};

TEST_P(TfjsOracle, OurOutputsMatchTensorFlowJs) {
  const std::string dir = fixtureDir(GetParam());
  const Model model = loadModel(dir + "/model.json");
  const nlohmann::json inputs = readJson(dir + "/inputs.json"), outputs = readJson(dir + "/tfjs_outputs.json");
  ASSERT_EQ(inputs.size(), outputs.size());
  ASSERT_GE(inputs.size(), 3u);
  for (size_t k = 0; k < inputs.size(); ++k) {
    Inputs<float> in;
    if (model.arch.inputKind == InputKind::Tokens) {
      for (const auto& id : inputs[k]) in.tokens.push_back(id.get<int32_t>());
      in.steps = static_cast<int>(in.tokens.size());
    } else {
      in.steps = static_cast<int>(inputs[k].size());
      in.features.resize(model.arch.featureDim, in.steps);
      for (int t = 0; t < in.steps; ++t)
        for (int d = 0; d < model.arch.featureDim; ++d) in.features(d, t) = inputs[k][t][d].get<float>();
    }
    Tape<float> tape;
    forward(model, in, tape);
    // TF.js returns (1, T, K) or (1, K) row-major: the same order as our (K, T) or (K, 1) column-major.
    const std::vector<double> theirs = outputs[k].get<std::vector<double>>();
    ASSERT_EQ(static_cast<long>(theirs.size()), tape.probs.size()) << GetParam() << " input " << k;
    const Mat<double> expected = Eigen::Map<const Mat<double>>(theirs.data(), tape.probs.rows(), tape.probs.cols());
    EXPECT_LE(worstRatio(tape.probs, expected, 1e-5, 1e-5), 1.0) << GetParam() << " input " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, TfjsOracle,
                         ::testing::Values("tfjs_lm", "tfjs_quantized", "tfjs_go_backwards",
                                           "tfjs_go_backwards_twice"));

}  // namespace
}  // namespace lstmscope::test
