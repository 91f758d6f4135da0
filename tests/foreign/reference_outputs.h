// Comparing an imported model with the outputs its own framework (or an independent reference) computed:
// NAME_expected.h5 holds input_k (token ids or (T, D) features), output_k (the last layer before its
// activation, (T, K) or (1, K)), and optionally probs_k (after it), hidden_k (the last LSTM layer's output at
// every step, (T, H or 2H)) and final_k (its final states, (1, H or 2H)).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/formats/hdf5.h"
#include "core/formats/model_loader.h"
#include "tests/engine/oracle_support.h"

namespace lstmscope::test {

// A Keras fixture written by make_keras_files.py.
// An import's assumptions, one per line, to search for what it said.
inline std::string allAssumptions(const ImportedModel& imported) {
  std::string all;
  for (const auto& a : imported.report.assumptions) all += a + "\n";
  return all;
}

inline std::string kerasFixture(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/keras/" + name;
}

// Runs `net` on every input of `expectedPath` and returns the worst worstRatio (atol = rtol = tolerance)
// over logits and, where stored, probabilities. > 1 means outside the tolerance.
template <class T>
double worstAgainstReference(const Network<T>& net, const std::string& expectedPath, double rtol, double atol) {
  h5::File ref = h5::File::openReadOnly(expectedPath);
  double worst = 0;
  const auto inputs = h5::readIntAttr(ref.id(), "inputs");
  EXPECT_TRUE(inputs && *inputs > 0) << expectedPath;
  for (int k = 0; k < inputs.value_or(0); ++k) {
    const std::string input = "input_" + std::to_string(k);
    Inputs<T> in;
    if (net.arch.inputKind == InputKind::Tokens) {
      in.tokens = h5::readInts(ref.id(), input, expectedPath);
      in.steps = static_cast<int>(in.tokens.size());
    } else if (net.arch.frontEndReadsTokens()) {  // ids through the front end's lookup and windows
      const std::vector<int32_t> ids = h5::readInts(ref.id(), input, expectedPath);
      Mat<double> row(1, static_cast<long>(ids.size()));
      for (size_t t = 0; t < ids.size(); ++t) row(0, static_cast<long>(t)) = ids[t];
      in.features = applyFrontEnd(net.arch, row).template cast<T>();
      in.steps = static_cast<int>(in.features.cols());
    } else {
      // A front end (Architecture::frontEnd) turns the raw features into what the first LSTM reads.
      const Mat<double> raw = readTransposed(ref.id(), input);
      in.features = applyFrontEnd(net.arch, raw).template cast<T>();
      in.steps = static_cast<int>(in.features.cols());
    }
    Tape<T> tape;
    forward(net, in, tape);
    // The last layer's output at every step (forward rows, then backward) and its final states (forward at
    // the last step, backward at the first).
    const Mat<T>& hidden = tape.layerInput.back();
    const LayerSpec& last = net.arch.layers.back();
    const long H = last.hidden;
    Mat<T> final(hidden.rows(), 1);
    for (int d = 0; d < last.directions(); ++d)
      final.middleRows(d * H, H) = hidden.col(last.finalStep(d, hidden.cols())).middleRows(d * H, H);
    for (const char* what : {"output_", "probs_", "hidden_", "final_"}) {
      const std::string name = what + std::to_string(k);
      if (!h5::exists(ref.id(), name)) continue;
      const Mat<double> expected = readTransposed(ref.id(), name);
      const std::string kind = what;
      const Mat<T>& actual = kind == "output_"   ? tape.logits
                             : kind == "probs_"  ? tape.probs
                             : kind == "hidden_" ? hidden
                                                 : final;
      EXPECT_EQ(actual.rows(), expected.rows()) << expectedPath << " " << name;
      EXPECT_EQ(actual.cols(), expected.cols()) << expectedPath << " " << name;
      if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) return 1e9;
      worst = std::max(worst, worstRatio(actual, expected, atol, rtol));
    }
  }
  return worst;
}

template <class T>
double worstAgainstReference(const Network<T>& net, const std::string& expectedPath, double tolerance) {
  return worstAgainstReference(net, expectedPath, tolerance, tolerance);
}

// Opens every file and expects an InputError whose message names the file and contains the expectation.
template <class Fixture>
void expectRefusedByName(Fixture fixture, std::initializer_list<std::pair<const char*, const char*>> expectations) {
  for (const auto& [file, expected] : expectations) {
    std::string message = "(no error)";
    try {
      importModel(fixture(file));
    } catch (const InputError& e) {
      message = e.what();
    }
    EXPECT_NE(message.find(fixture(file)), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << file << ": " << message;
  }
}

}  // namespace lstmscope::test
