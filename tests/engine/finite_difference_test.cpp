// Gradients against central finite differences in float64, independently of PyTorch.
#include <gtest/gtest.h>

#include <random>

#include "core/engine/backward.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "core/training/init.h"
#include "tests/engine/oracle_support.h"

namespace lstmscope::test {
namespace {

// F = sum(w * logits), or sum(w * last layer output) for models without a head.
double score(const Network<double>& net, const Inputs<double>& in, const Mat<double>& w) {
  Tape<double> tape;
  forward(net, in, tape);
  const Mat<double>& out = net.arch.head ? tape.logits : tape.layerInput.back();
  return (out.array() * w.array()).sum();
}

class FiniteDifferences : public ::testing::TestWithParam<int> {};

TEST_P(FiniteDifferences, WeightAndInputGradientsAgree) {
  const std::string dir = oracleDir() + "/case_" + std::to_string(GetParam());
  Network<double> net = loadNativeModel(dir + "/model.h5").cast<double>();
  h5::File ref = h5::File::openReadOnly(dir + "/reference.h5");
  Inputs<double> in;
  in.steps = static_cast<int>(*h5::readIntAttr(ref.id(), "steps"));
  if (h5::exists(ref.id(), "tokens"))
    in.tokens = h5::readInts(ref.id(), "tokens", "ref");
  else
    in.features = readTransposed(ref.id(), "features");

  Tape<double> tape;
  forward(net, in, tape);
  const Mat<double>& out = net.arch.head ? tape.logits : tape.layerInput.back();
  std::mt19937 rng(GetParam());
  std::normal_distribution<double> normal;
  Mat<double> w(out.rows(), out.cols());
  for (long k = 0; k < w.size(); ++k) w.data()[k] = normal(rng);

  Adjoints<double> adj;
  if (net.arch.head) {
    adj.dLogits = w;
  } else {
    const int L = static_cast<int>(net.arch.layers.size()) - 1;
    const long H = net.arch.layers[L].hidden;
    adj.dH.resize(L + 1);
    for (int d = 0; d < net.arch.layers[L].directions(); ++d) adj.dH[L].push_back(w.middleRows(d * H, H));
  }
  Gradients<double> g;
  backward(net, in, tape, adj, {}, g);

  const double h = 1e-6;
  int checked = 0;
  auto check = [&](double& x, double analytic, const std::string& what) {
    const double saved = x;
    x = saved + h;
    const double up = score(net, in, w);
    x = saved - h;
    const double down = score(net, in, w);
    x = saved;
    const double fd = (up - down) / (2 * h);
    EXPECT_NEAR(analytic, fd, 1e-7 + 1e-4 * std::abs(fd)) << what;
    ++checked;
  };
  std::vector<std::string> names;
  net.params.forEach(net.arch, [&](const std::string& name, const auto&) { names.push_back(name); });
  auto values = net.params.flat();
  const auto gradients = g.params.flat();
  for (size_t t = 0; t < values.size(); ++t) {
    std::uniform_int_distribution<long> pick(0, values[t].size() - 1);
    for (int k = 0; k < 3; ++k) {
      const long e = pick(rng);
      check(values[t][e], gradients[t][e], names[t] + "[" + std::to_string(e) + "]");
    }
  }
  if (in.features.size()) {
    std::uniform_int_distribution<long> pick(0, in.features.size() - 1);
    for (int k = 0; k < 5; ++k) {
      const long e = pick(rng);
      check(in.features.data()[e], g.dInput.data()[e], "input feature " + std::to_string(e));
    }
  }
  EXPECT_GE(checked, 12);
}

INSTANTIATE_TEST_SUITE_P(Cases, FiniteDifferences, ::testing::Range(0, 21));

}  // namespace
}  // namespace lstmscope::test

namespace lstmscope::test {
namespace {

// A pooling head that reads one layer input twice (Keras' Concatenate of the embedding and a dropout of
// it): both copies' gradients reach it. Every weight against central differences.
TEST(PoolingHeadGradients, ASourceReadTwiceGetsBothParts) {
  Architecture a;
  a.task = Task::Classifier;
  a.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c"});
  a.layers = {LayerSpec{3}};
  a.head = HeadSpec{{}, HeadActivation::Softmax, HeadReads::AttentionPool, {}, {0, 1, 1}, 1e-7};
  Network<double> net = initialiseModel(a, {2, {}, 2}, 5).cast<double>();
  net.params.forEachTensor([](auto& t) { t *= 2.0; });
  Inputs<double> in;
  in.steps = 6;
  in.tokens = {0, 2, 1, 1, 0, 2};
  const Mat<double> w = (Mat<double>(2, 1) << 0.7, -1.3).finished();
  Tape<double> tape;
  forward(net, in, tape);
  Adjoints<double> adj;
  adj.dLogits = w;
  Gradients<double> g;
  backward(net, in, tape, adj, {}, g);
  auto values = net.params.flat();
  const auto gradients = g.params.flat();
  int checked = 0;
  for (size_t t = 0; t < values.size(); ++t)
    for (long e = 0; e < values[t].size(); e += 3, ++checked) {
      const double saved = values[t][e], h = 1e-6;
      values[t][e] = saved + h;
      const double up = score(net, in, w);
      values[t][e] = saved - h;
      const double down = score(net, in, w);
      values[t][e] = saved;
      const double fd = (up - down) / (2 * h);
      EXPECT_NEAR(gradients[t][e], fd, 1e-7 + 1e-5 * std::abs(fd)) << "tensor " << t << " entry " << e;
    }
  EXPECT_GE(checked, 40);
  EXPECT_NE(g.params.headAttention.cwiseAbs().maxCoeff(), 0.0);
}

}  // namespace
}  // namespace lstmscope::test
