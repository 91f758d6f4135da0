// Gradients against central finite differences in float64, independently of PyTorch.
#include <gtest/gtest.h>

#include <random>

#include "core/engine/backward.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"
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
