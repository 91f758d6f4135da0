// Unit scores on small cases worked out by hand (docs/PROBES.md "Unit ranking"): ties in ranks and AUC,
// the IoU's threshold and sign, categories, and what is left unscored. (Random and recorded traces are
// checked against scipy and scikit-learn by tests/probing/probe_oracle.py.)
#include "core/probing/unit_scores.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/probing/linear_probe.h"
#include "core/probing/probe_study.h"

namespace lstmscope {
namespace {

Mat<float> units(std::initializer_list<std::initializer_list<float>> rows) {
  Mat<float> m(static_cast<long>(rows.size()), static_cast<long>(rows.begin()->size()));
  long r = 0;
  for (const auto& row : rows) {
    long c = 0;
    for (const float v : row) m(r, c++) = v;
    ++r;
  }
  return m;
}

TEST(UnitScores, AverageRanksShareTies) {
  EXPECT_EQ(averageRanks({3, 1, 3, 2}), (std::vector<double>{3.5, 1, 3.5, 2}));
  EXPECT_EQ(averageRanks({5, 5, 5}), (std::vector<double>{2, 2, 2}));
}

TEST(UnitScores, AucCountsTiesAsHalfAndSignsLowUnits) {
  const ProbeLabel label = makeProbeLabel("t", {0, 0, 1, 1}, {});
  ASSERT_EQ(label.kind, LabelKind::Binary);
  const auto s = scoreUnits(units({{0, 1, 1, 2}, {4, 3, 2, 1}}), label, RankingMetric::Auc);
  // Unit 0: positives {1, 2} against negatives {0, 1}: 3 wins and a tie of 4 pairs = 3.5 / 4.
  EXPECT_DOUBLE_EQ(s[0].score, 0.875);
  EXPECT_EQ(s[0].sign, 1);
  EXPECT_DOUBLE_EQ(s[0].strength, 0.375);
  EXPECT_DOUBLE_EQ(s[1].score, 0.0);  // low exactly where the label is on
  EXPECT_EQ(s[1].sign, -1);
}

TEST(UnitScores, IouFindsTheThresholdAndTheDirection) {
  const ProbeLabel label = makeProbeLabel("t", {0, 1, 1, 0, 0}, {});
  const auto s =
      scoreUnits(units({{0.1f, 0.9f, 0.7f, 0.8f, 0.2f}, {0.9f, 0.1f, 0.2f, 0.3f, 0.9f}}), label, RankingMetric::Iou);
  // Unit 0 on at >= 0.7: steps 1, 2, 3 against 1, 2: IoU 2/3 (>= 0.9 gives 1/2).
  EXPECT_DOUBLE_EQ(s[0].score, 2.0 / 3);
  EXPECT_FLOAT_EQ(static_cast<float>(s[0].threshold), 0.7f);
  EXPECT_EQ(s[0].sign, 1);
  // Unit 1 on at <= 0.2: exactly the label.
  EXPECT_DOUBLE_EQ(s[1].score, 1.0);
  EXPECT_FLOAT_EQ(static_cast<float>(s[1].threshold), 0.2f);
  EXPECT_EQ(s[1].sign, -1);
}

TEST(UnitScores, CategoriesReportTheirMostSeparatedCategory) {
  const ProbeLabel label = makeProbeLabel("t", {0, 1, 2, 0, 1, 2}, {"a", "b", "c"});
  ASSERT_EQ(label.kind, LabelKind::Categorical);
  const auto s = scoreUnits(units({{0, 0, 5, 0, 0, 5}}), label, RankingMetric::Auc);
  EXPECT_EQ(s[0].category, 2);  // "c" against the rest: AUC 1
  EXPECT_DOUBLE_EQ(s[0].score, 1.0);
}

// Pearson r is summed in blocks of 256 steps, shared among threads and merged (docs/PROBES.md): over
// 10,001 steps (blocks that do not divide them, threads that get unequal parts) it agrees with the two-pass
// formula in long double, on units far from zero with little spread, one that jumps between two levels,
// and a unit constant over every step but the last block's is still scored; one constant throughout is not.
TEST(UnitScores, PearsonInBlocksAgreesWithTheTwoPassFormula) {
  const long steps = 10'001;
  Mat<float> values(4, steps);
  std::vector<double> y(static_cast<size_t>(steps));
  for (long t = 0; t < steps; ++t) {
    const double wave = std::sin(0.001 * static_cast<double>(t * t % 7919));
    y[static_cast<size_t>(t)] = 100.0 + std::cos(0.37 * static_cast<double>(t)) + 0.1 * wave;
    values(0, t) = static_cast<float>(1e4 + 1e-2 * wave);
    values(1, t) = t < 6000 ? 0.999f : 0.001f + 1e-4f * static_cast<float>(wave);
    values(2, t) = t < 9900 ? 3.0f : static_cast<float>(wave);
    values(3, t) = -7.25f;
  }
  const ProbeLabel label = makeProbeLabel("t", y, {});
  for (const int threads : {1, 2, 3}) {
    const auto s = scoreUnits(values, label, RankingMetric::Pearson, threads);
    for (long u = 0; u < 3; ++u) {
      long double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
      for (long t = 0; t < steps; ++t) mx += values(u, t), my += y[static_cast<size_t>(t)];
      mx /= steps, my /= steps;
      for (long t = 0; t < steps; ++t) {
        const long double dx = values(u, t) - mx, dy = y[static_cast<size_t>(t)] - my;
        sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
      }
      ASSERT_TRUE(s[static_cast<size_t>(u)].scored()) << u;
      EXPECT_NEAR(s[static_cast<size_t>(u)].score, static_cast<double>(sxy / std::sqrt(sxx * syy)), 1e-12)
          << "unit " << u << ", " << threads << " threads";
    }
    EXPECT_FALSE(s[3].scored());
  }
}

TEST(UnitScores, ConstantUnitsNonFiniteValuesAndConstantLabelsAreNotScored) {
  const ProbeLabel label = makeProbeLabel("t", {1, 2, 3, 4}, {});
  for (const RankingMetric m : {RankingMetric::Pearson, RankingMetric::Spearman}) {
    const auto s = scoreUnits(units({{2, 2, 2, 2}, {1, NAN, 3, 4}, {1, INFINITY, 3, 4}, {4, 3, 2, 1}}), label, m);
    EXPECT_FALSE(s[0].scored());
    EXPECT_FALSE(s[1].scored());
    EXPECT_FALSE(s[2].scored());
    EXPECT_DOUBLE_EQ(s[3].score, -1.0);
  }
  const auto flat = scoreUnits(units({{1, 2, 3, 4}}), makeProbeLabel("t", {1, 1, 1, 1}, {}), RankingMetric::Pearson);
  EXPECT_FALSE(flat[0].scored());
  // A metric that does not fit the label scores nothing.
  EXPECT_FALSE(scoreUnits(units({{1, 2, 3, 4}}), label, RankingMetric::Iou)[0].scored());
}

TEST(ProbeStudy, SplitsByDocumentsOrHalves) {
  const ProbeSplit one = splitByDocuments({0, 5});
  EXPECT_EQ(one.train, (std::vector<long>{0, 1}));
  EXPECT_EQ(one.test, (std::vector<long>{2, 3, 4}));
  const ProbeSplit docs = splitByDocuments({0, 2, 2, 3, 5});  // the empty second document is skipped
  EXPECT_EQ(docs.train, (std::vector<long>{0, 1, 3, 4}));
  EXPECT_EQ(docs.test, (std::vector<long>{2}));
}

TEST(ProbeStudy, TheControlTaskGivesEveryTokenTypeOneLabel) {
  const ProbeLabel label = makeProbeLabel("t", {0, 1, 2, 3, 4, 5}, {});
  const std::vector<std::string> tokens{"a", "b", "a", "c", "b", "a"};
  const std::vector<double> control = controlLabels(label, tokens, 5);
  EXPECT_EQ(control[0], control[2]);
  EXPECT_EQ(control[0], control[5]);
  EXPECT_EQ(control[1], control[4]);
  EXPECT_EQ(control, controlLabels(label, tokens, 5));  // seeded
}

TEST(LinearProbe, RidgeRecoversAnExactLinearLabel) {
  Mat<double> x(2, 6);
  x << 1, 2, 3, 4, 5, 7, 0, 1, 0, 1, 0, 2;
  std::vector<double> y;
  for (long i = 0; i < 6; ++i) y.push_back(2 * x(0, i) - 3 * x(1, i) + 1);
  ProbeSettings s;
  s.alpha = 1e-12;
  const LinearProbe p = fitLinearProbe(x, y, LabelKind::Scalar, 0, s);
  EXPECT_NEAR(p.weights(0, 0), 2, 1e-9);
  EXPECT_NEAR(p.weights(0, 1), -3, 1e-9);
  EXPECT_NEAR(p.intercepts(0), 1, 1e-9);
  EXPECT_NEAR(probeScore(p, predictWithProbe(p, x), y), 1.0, 1e-12);
}

TEST(LinearProbe, LogisticRefusesOneClassAndSeparatesTwo) {
  Mat<double> x(1, 4);
  x << -2, -1, 1, 2;
  ProbeSettings s;
  s.kind = ProbeKind::Logistic;
  EXPECT_THROW(fitLinearProbe(x, {1, 1, 1, 1}, LabelKind::Binary, 0, s), std::invalid_argument);
  const LinearProbe p = fitLinearProbe(x, {0, 0, 1, 1}, LabelKind::Binary, 0, s);
  EXPECT_GT(p.weights(0, 0), 0);
  EXPECT_NEAR(p.intercepts(0), 0, 1e-9);  // symmetric data
  // The gradient at the optimum vanishes: w + C sum (p_i - t_i) x_i = 0.
  double gradient = p.weights(0, 0);
  const double t[] = {0, 0, 1, 1};
  for (long i = 0; i < 4; ++i) gradient += (1 / (1 + std::exp(-p.weights(0, 0) * x(0, i))) - t[i]) * x(0, i);
  EXPECT_NEAR(gradient, 0, 1e-10);
  EXPECT_EQ(predictWithProbe(p, x), (std::vector<double>{0, 0, 1, 1}));
}

}  // namespace
}  // namespace lstmscope
