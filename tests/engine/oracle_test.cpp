// The engine against PyTorch float64 (tests/oracle/make_cases.py): every recorded quantity, the head's
// outputs, and gradients with respect to inputs, states and weights, in float64 and float32.
#include <gtest/gtest.h>

#include <fstream>

#include "core/engine/backward.h"
#include "core/engine/forward.h"
#include "core/engine/record.h"
#include "core/formats/native_model.h"
#include "core/training/adam.h"
#include "core/training/objective.h"
#include "tests/engine/oracle_support.h"

namespace lstmscope::test {
namespace {

struct OracleCase {
  Model model;
  h5::File reference;
  Inputs<double> inputs;
  bool hasHead = false;
};

OracleCase loadCase(int k) {
  const std::string dir = oracleDir() + "/case_" + std::to_string(k);
  OracleCase c{loadNativeModel(dir + "/model.h5"), h5::File::openReadOnly(dir + "/reference.h5"), {}, false};
  const hid_t f = c.reference.id();
  c.inputs.steps = static_cast<int>(*h5::readIntAttr(f, "steps"));
  c.hasHead = *h5::readIntAttr(f, "has_head") != 0;
  if (h5::exists(f, "tokens"))
    c.inputs.tokens = h5::readInts(f, "tokens", "reference");
  else
    c.inputs.features = readTransposed(f, "features");
  return c;
}

template <class T>
Inputs<T> castInputs(const Inputs<double>& in) {
  return {in.steps, in.batch, in.tokens, in.features.cast<T>()};
}

// The score is sum(w * logits) (or sum(w * last layer output) without a head): its adjoints.
template <class T>
Adjoints<T> scoreAdjoints(const OracleCase& c) {
  Adjoints<T> adj;
  const Mat<double> w = readTransposed(c.reference.id(), "score_weights");
  if (c.hasHead) {
    adj.dLogits = w.cast<T>();
  } else {
    const auto& arch = c.model.arch;
    const int L = static_cast<int>(arch.layers.size()) - 1;
    const long H = arch.layers[L].hidden;
    adj.dH.resize(L + 1);
    for (int d = 0; d < arch.layers[L].directions(); ++d) adj.dH[L].push_back(w.middleRows(d * H, H).cast<T>());
  }
  return adj;
}

// Every recorded quantity and head output of `tape` against the reference, within atol + rtol * |ref|.
template <class T>
void expectForwardMatches(const Tape<T>& tape, const Architecture& arch, hid_t ref, bool hasHead, double tol) {
  for (size_t l = 0; l < tape.layers.size(); ++l)
    for (size_t d = 0; d < tape.layers[l].size(); ++d) {
      const long H = arch.layers[l].hidden;
      const std::string p =
          "layers/" + std::to_string(l) + "/" + directionName(arch.layers[l], static_cast<int>(d)) + "/";
      const auto& dt = tape.layers[l][d];
      for (int q = 0; q < 4; ++q)
        EXPECT_LE(worstRatio(Mat<T>(dt.gates.middleRows(q * H, H)), readTransposed(ref, p + "ifgo"[q]), tol, tol), 1)
            << p << "ifgo"[q];
      EXPECT_LE(worstRatio(dt.c, readTransposed(ref, p + "c"), tol, tol), 1) << p << "c";
      EXPECT_LE(worstRatio(dt.h, readTransposed(ref, p + "h"), tol, tol), 1) << p << "h";
    }
  if (hasHead) {
    EXPECT_LE(worstRatio(tape.logits, readTransposed(ref, "logits"), tol, tol), 1);
    EXPECT_LE(worstRatio(tape.probs, readTransposed(ref, "probs"), tol, tol), 1);
  }
}

// Every weight gradient against the reference's, relative to the tensor's largest entry. Returns how
// many tensors were compared.
template <class T>
int expectWeightGradientsMatch(const Architecture& arch, const Params<T>& grads, hid_t ref, const std::string& group,
                               double tol) {
  int checked = 0;
  grads.forEach(arch, [&](const std::string& name, const auto& m) {
    const Mat<double> expected =
        name == "input/embedding" ? readTransposed(ref, group + name) : readSameShape(ref, group + name);
    ASSERT_EQ(expected.size(), m.size()) << name;
    EXPECT_LE(relativeError(Mat<T>(m), Eigen::Map<const Mat<double>>(expected.data(), m.rows(), m.cols())), tol)
        << name;
    ++checked;
  });
  return checked;
}

class Oracle : public ::testing::TestWithParam<int> {};

TEST_P(Oracle, Float64ForwardAndGradientsMatchPyTorch) {
  const OracleCase c = loadCase(GetParam());
  const hid_t ref = c.reference.id();
  const Network<double> net = c.model.cast<double>();
  Tape<double> tape;
  forward(net, c.inputs, tape);
  expectForwardMatches(tape, net.arch, ref, c.hasHead, 1e-10);

  BackwardOptions opt;
  opt.stateGradients = true;
  Gradients<double> g;
  backward(net, c.inputs, tape, scoreAdjoints<double>(c), opt, g);
  EXPECT_LE(relativeError(g.dInput, readTransposed(ref, "grad/input")), 1e-9);
  for (size_t l = 0; l < g.dH.size(); ++l)
    for (size_t d = 0; d < g.dH[l].size(); ++d) {
      const std::string p =
          "grad/layers/" + std::to_string(l) + "/" + directionName(net.arch.layers[l], static_cast<int>(d)) + "/";
      EXPECT_LE(relativeError(g.dH[l][d], readTransposed(ref, p + "h")), 1e-9) << p << "h";
      EXPECT_LE(relativeError(g.dC[l][d], readTransposed(ref, p + "c")), 1e-9) << p << "c";
    }
  const int checked = expectWeightGradientsMatch(net.arch, g.params, ref, "grad/params/", 1e-9);
  EXPECT_GE(checked, 4);
}

// What users see: float32 recordings within 2e-5 of float64 PyTorch (relative to the value's size for
// cell states that grow past 1), and float32 gradients within 1e-4 relative.
TEST_P(Oracle, Float32RecordingAndGradientsWithinTolerance) {
  const OracleCase c = loadCase(GetParam());
  const hid_t ref = c.reference.id();
  const Inputs<float> in = castInputs<float>(c.inputs);
  Tape<float> tape;
  forward(c.model, in, tape);
  expectForwardMatches(tape, c.model.arch, ref, c.hasHead, 2e-5);
  Gradients<float> g;
  backward(c.model, in, tape, scoreAdjoints<float>(c), {}, g);
  EXPECT_LE(relativeError(g.dInput, readTransposed(ref, "grad/input")), 1e-4);
  expectWeightGradientsMatch(c.model.arch, g.params, ref, "grad/params/", 1e-4);
}

// Streaming record (chunked with carried state) gives the same numbers as one forward pass.
TEST_P(Oracle, ChunkedRecordingEqualsOnePass) {
  const OracleCase c = loadCase(GetParam());
  const Inputs<double> in = c.inputs;
  const Network<double> net = c.model.cast<double>();
  struct Collector : RecordObserver {
    std::map<std::tuple<int, int, int>, Mat<double>> states;
    Mat<double> logits;
    long T;
    void onStates(const StateBlock& b) override {
      auto& m = states[{b.layer, b.direction, static_cast<int>(b.quantity)}];
      if (m.size() == 0) m = Mat<double>::Constant(b.units, T, NAN);
      m.middleCols(b.firstStep, b.steps) = Eigen::Map<const Mat<float>, 0, Eigen::OuterStride<>>(
                                               b.data, b.units, b.steps, Eigen::OuterStride<>(b.stride))
                                               .cast<double>();
    }
    void onOutputs(long first, long rows, const float* lg, const float*, int k) override {
      if (logits.size() == 0) logits = Mat<double>::Constant(k, T, NAN);
      logits.middleCols(first, rows) = Eigen::Map<const Mat<float>>(lg, k, rows).cast<double>();
    }
  } collector;
  collector.T = in.steps;
  RecordRequest req;
  req.chunkSteps = 7;  // many chunks, including a ragged last one
  record(net, in, req, collector);
  Tape<double> tape;
  forward(net, in, tape);
  for (const auto& [key, m] : collector.states) {
    const auto [l, d, q] = key;
    const auto& dt = tape.layers[l][d];
    const long H = dt.h.rows();
    const Mat<double> expected = q == 4 ? dt.c : q == 5 ? dt.h : Mat<double>(dt.gates.middleRows(q * H, H));
    EXPECT_LE(worstRatio(m, expected, 1e-6, 1e-6), 1) << l << d << q;  // float32 transport
  }
  if (c.hasHead && net.arch.head->reads == HeadReads::EachStep) {
    EXPECT_LE(worstRatio(collector.logits, tape.logits, 1e-5, 1e-6), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Oracle, ::testing::Range(0, 21));

TEST(OracleTraining, LossGradientsAndAdamStepMatchPyTorch) {
  const std::string dir = oracleDir() + "/training";
  const Network<double> net = loadNativeModel(dir + "/model.h5").cast<double>();
  h5::File ref = h5::File::openReadOnly(dir + "/reference.h5");
  const hid_t f = ref.id();
  Inputs<double> in;
  in.steps = 9;
  in.batch = 3;
  in.tokens = h5::readInts(f, "tokens", "ref");
  const std::vector<int32_t> targets = h5::readInts(f, "targets", "ref");
  State<double> initial(net.arch.layers.size());
  for (size_t l = 0; l < initial.size(); ++l)
    initial[l].push_back({readTransposed(f, "h0/" + std::to_string(l)), readTransposed(f, "c0/" + std::to_string(l))});
  Gradients<double> g;
  const double loss = languageModelLoss<double>(net, in, targets, &initial, nullptr, &g);
  double expectedLoss = 0;
  {
    h5::Handle a(H5Aopen(f, "loss", H5P_DEFAULT), H5Aclose);
    H5Aread(a.get(), H5T_NATIVE_DOUBLE, &expectedLoss);
  }
  EXPECT_NEAR(loss, expectedLoss, 1e-12);
  expectWeightGradientsMatch(net.arch, g.params, f, "grad/params/", 1e-10);
  Network<double> stepped = net;
  clipGradientNorm(g.params, 0.5);
  Adam<double> adam(stepped.params, 0.01);
  adam.step(stepped.params, g.params);
  stepped.params.forEach(net.arch, [&](const std::string& name, const auto& m) {
    const Mat<double> e =
        name == "input/embedding" ? readTransposed(f, "after_adam/" + name) : readSameShape(f, "after_adam/" + name);
    EXPECT_LE(worstRatio(Mat<double>(m), Eigen::Map<const Mat<double>>(e.data(), m.rows(), m.cols()), 1e-9, 1e-9), 1)
        << name;
  });
}

}  // namespace
}  // namespace lstmscope::test
