// LRP's epsilon / bias-factor trade-off on real models (docs/ATTRIBUTION.md, "Choosing LRP's ε and bias
// factor"): for the demo model on its sample text and the bracket-depth fixture on bracket text, at several
// target steps, LRP over a grid of epsilon and bias factor, against gradient x input and Integrated
// Gradients of the same target. Per setting it prints
//   in/score  relevance reaching the input over the score (1 = conserved, > 1 amplified)
//   absorbed  what biases and epsilon absorbed over the score (the app's note)
//   max|a|/s  the largest |token relevance| over |score| (how far the colour scale reaches)
//   max|Rc|/s the largest |relevance of a cell| anywhere over |score| (amplification inside the chain)
//   cos(GxI)  cosine with gradient x input over all tokens
//   cos(IG)   cosine with Integrated Gradients (32 midpoint steps on the float32 path, zero baseline)
//   rho(IG)   Spearman rank correlation with IG over the figure's context (the 160 tokens up to the
//             target, what the app shows)
// with, per target, the same two numbers for gradient x input against IG (how far the gradient methods
// agree among themselves), and per model the medians over the target steps.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "core/attribution/attribution_rules.h"
#include "core/attribution/gradient_attribution.h"
#include "core/attribution/lrp.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "tests/support/bracket_text.h"

using namespace lstmscope;

namespace {

constexpr double kEpsilons[] = {0.001, 0.01, 0.03, 0.1, 0.3, 1.0};
constexpr double kBiasFactors[] = {0, 0.5, 1};

double cosine(const Vec<double>& a, const Vec<double>& b) {
  const double n = a.norm() * b.norm();
  return n > 0 && std::isfinite(n) ? a.dot(b) / n : NAN;
}

Vec<double> ranks(const Vec<double>& v) {
  std::vector<long> order(static_cast<size_t>(v.size()));
  std::iota(order.begin(), order.end(), 0L);
  std::sort(order.begin(), order.end(), [&v](long a, long b) { return v(a) < v(b); });
  Vec<double> r(v.size());
  for (size_t k = 0; k < order.size(); ++k) r(order[k]) = static_cast<double>(k);
  return r;
}

double spearman(const Vec<double>& a, const Vec<double>& b) {
  Vec<double> ra = ranks(a), rb = ranks(b);
  ra.array() -= ra.mean(), rb.array() -= rb.mean();
  return cosine(ra, rb);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? NAN : v[v.size() / 2];
}

struct Row {
  double inShare, absorbed, maxToken, maxCell, cosGxi, cosIg, rhoIg;
};

void study(const char* name, const std::string& modelPath, const std::string& text, const std::vector<long>& steps) {
  const Model model = loadNativeModel(modelPath);
  const EncodedText encoded = encodeText(model.arch, text, name, 10'000'000);
  std::printf("\n== %s (%zu layers x %d units), %d tokens ==\n", name, model.arch.layers.size(),
              model.arch.layers[0].hidden, encoded.inputs.steps);
  const Network<double> net = model.cast<double>();
  const Network<double> vectors = onInputVectors(net);
  // [epsilon][bias factor] -> one row per step
  std::vector<std::vector<std::vector<Row>>> all(std::size(kEpsilons),
                                                 std::vector<std::vector<Row>>(std::size(kBiasFactors)));
  for (const long step : steps) {
    if (step >= encoded.inputs.steps) continue;
    Inputs<double> in;  // a forward model's target at `step` reads the steps up to it
    in.steps = static_cast<int>(step + 1);
    in.tokens.assign(encoded.inputs.tokens.begin(), encoded.inputs.tokens.begin() + step + 1);
    const AttributionTarget target = defaultTarget(net, in, step);
    const Mat<double> x = inputVectors(net, in), zero = baselineVectors(net, in.steps, std::nullopt);
    const TokenAttribution gxi = gradientTimesInput(vectors, x, target);
    const TokenAttribution ig =
        integratedGradients(vectors, x, zero, target, QuadratureRule::Midpoint, 32, Precision::Float32);
    const long window = std::min<long>(kFigureContextBefore, step + 1), first = step + 1 - window;
    std::printf(
        "\ntarget: %s, score %.4g; gradient x input sums to %.4g, IG to %.4g (delta %.2g); gradient x input "
        "against IG: cos %.3f, rho %.3f\n",
        describeTarget(net.arch, target).c_str(), gxi.score, gxi.perToken.sum(), ig.perToken.sum(),
        *ig.convergenceDelta, cosine(gxi.perToken, ig.perToken),
        spearman(gxi.perToken.segment(first, window), ig.perToken.segment(first, window)));
    std::printf("  %-7s %-4s %11s %11s %10s %10s %8s %8s %8s   absorbed per stage (head, layers top down)\n", "eps",
                "beta", "in/score", "absorbed", "max|a|/s", "max|Rc|/s", "cos(GxI)", "cos(IG)", "rho(IG)");
    for (size_t e = 0; e < std::size(kEpsilons); ++e)
      for (size_t b = 0; b < std::size(kBiasFactors); ++b) {
        const LrpResult r = layerwiseRelevance(vectors, x, target, {kEpsilons[e], kBiasFactors[b]});
        const double s = std::abs(r.tokens.score);
        double maxCell = 0;
        for (const auto& layer : r.units.c)
          for (const Mat<double>& c : layer) maxCell = std::max(maxCell, c.cwiseAbs().maxCoeff());
        const Row row{r.tokens.perToken.sum() / r.tokens.score,
                      absorbedShare(r.conservationError(), r.tokens.score),
                      r.tokens.perToken.cwiseAbs().maxCoeff() / s,
                      maxCell / s,
                      cosine(r.tokens.perToken, gxi.perToken),
                      cosine(r.tokens.perToken, ig.perToken),
                      spearman(r.tokens.perToken.segment(first, window), ig.perToken.segment(first, window))};
        all[e][b].push_back(row);
        std::ostringstream stages;
        for (const RelevanceFlow& f : r.flows) stages << ' ' << absorbedShare(f.absorbed(), r.tokens.score);
        std::printf("  %-7g %-4g %11.3g %11.3g %10.3g %10.3g %8.3f %8.3f %8.3f  %s\n", kEpsilons[e], kBiasFactors[b],
                    row.inShare, row.absorbed, row.maxToken, row.maxCell, row.cosGxi, row.cosIg, row.rhoIg,
                    stages.str().c_str());
      }
  }
  std::printf("\n%s, medians over the target steps:\n", name);
  std::printf("  %-7s %-4s %11s %11s %10s %10s %8s %8s %8s\n", "eps", "beta", "in/score", "absorbed", "max|a|/s",
              "max|Rc|/s", "cos(GxI)", "cos(IG)", "rho(IG)");
  for (size_t e = 0; e < std::size(kEpsilons); ++e)
    for (size_t b = 0; b < std::size(kBiasFactors); ++b) {
      const auto& rows = all[e][b];
      auto med = [&rows](double Row::*field) {
        std::vector<double> v;
        for (const Row& r : rows) v.push_back(r.*field);
        return median(v);
      };
      std::printf("  %-7g %-4g %11.3g %11.3g %10.3g %10.3g %8.3f %8.3f %8.3f\n", kEpsilons[e], kBiasFactors[b],
                  med(&Row::inShare), med(&Row::absorbed), med(&Row::maxToken), med(&Row::maxCell), med(&Row::cosGxi),
                  med(&Row::cosIg), med(&Row::rhoIg));
    }
}

}  // namespace

// usage: lrp_study [demo|brackets] (default: both)
int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it comes when redirected
  const std::string which = argc > 1 ? argv[1] : "";
  const std::string root = LSTMSCOPE_SOURCE_DIR;
  std::ifstream sample(root + "/resources/demo/sample.py", std::ios::binary);
  const std::string demoText((std::istreambuf_iterator<char>(sample)), std::istreambuf_iterator<char>());
  if (which != "brackets")
    study("demo (python_char.h5 on sample.py)", root + "/resources/demo/python_char.h5", demoText,
          {100, 500, 1000, 2000, 3000});
  if (which != "demo")
    study("bracket fixture (brackets_char.h5)", root + "/resources/fixtures/brackets_char.h5",
          test::bracketText(200, 7), {50, 200, 500, 1000});
  return 0;
}
