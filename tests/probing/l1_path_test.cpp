// L1 probes and the L1 path on planted data (docs/PROBES.md "L1 probes and the L1 path"): the lasso and L1
// logistic regression keep exactly the units the label was made from, their solutions satisfy the L1
// optimality conditions, and the path finds how few units reach 95 % of the full probe. (scikit-learn's
// Lasso and saga check the coefficients and every point of the path in tests/probing/probe_oracle.py.)
#include "core/probing/l1_path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/probing/probe_study.h"
#include "core/probing/probe_units.h"

namespace lstmscope {
namespace {

struct Planted {
  Mat<double> x;
  std::vector<double> number, binary;
};

// 20 units of noise over `steps` steps; the label is 2 u3 - u7 (+ noise): only units 3 and 7 carry it.
Planted planted(long steps, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal;
  Planted p{Mat<double>(20, steps), {}, {}};
  for (long t = 0; t < steps; ++t) {
    for (long u = 0; u < 20; ++u) p.x(u, t) = normal(random) + 0.1 * static_cast<double>(u);
    const double signal = 2 * p.x(3, t) - p.x(7, t);
    p.number.push_back(signal + 0.3 * normal(random));
    p.binary.push_back(signal + 0.5 * normal(random) > 0.2 ? 1.0 : 0.0);
  }
  return p;
}

TEST(SparseProbe, TheLassoKeepsThePlantedUnitsAndMeetsTheOptimalityConditions) {
  const Planted p = planted(2000, 1);
  ProbeSettings settings;
  settings.kind = ProbeKind::Ridge, settings.penalty = ProbePenalty::L1, settings.alpha = 0.05;
  const LinearProbe probe = fitLinearProbe(p.x, p.number, LabelKind::Scalar, 0, settings);
  EXPECT_EQ(featuresUsed(probe), 2);
  EXPECT_NE(probe.weights(0, 3), 0.0);
  EXPECT_NE(probe.weights(0, 7), 0.0);
  // KKT: (1/n) X_j . (y - Xw - b) = alpha sign(w_j) where w_j != 0, and |.| <= alpha where w_j = 0.
  const Eigen::Map<const Vec<double>> y(p.number.data(), 2000);
  const Vec<double> residual = y - (probe.weights * p.x).transpose() - Vec<double>::Constant(2000, probe.intercepts(0));
  EXPECT_NEAR(residual.mean(), 0.0, 1e-12);
  const Vec<double> correlation = p.x * residual / 2000.0;
  for (long j = 0; j < 20; ++j) {
    const double w = probe.weights(0, j);
    if (w != 0)
      EXPECT_NEAR(correlation(j), settings.alpha * (w > 0 ? 1 : -1), 1e-10) << j;
    else
      EXPECT_LE(std::abs(correlation(j)), settings.alpha + 1e-10) << j;
  }
}

TEST(SparseProbe, L1LogisticRegressionMeetsTheOptimalityConditions) {
  const Planted p = planted(2000, 2);
  ProbeSettings settings;
  settings.kind = ProbeKind::Logistic, settings.penalty = ProbePenalty::L1, settings.c = 0.05;
  const LinearProbe probe = fitLinearProbe(p.x, p.binary, LabelKind::Binary, 0, settings);
  // KKT of |w|_1 + C sum log-loss: C X_j . (p - t) = -sign(w_j) where w_j != 0, |.| <= 1 where w_j = 0;
  // the intercept's gradient C sum (p - t) = 0.
  Vec<double> residual(2000);
  for (long i = 0; i < 2000; ++i) {
    const double margin = probe.weights.row(0).dot(p.x.col(i)) + probe.intercepts(0);
    residual(i) = 1 / (1 + std::exp(-margin)) - p.binary[static_cast<size_t>(i)];
  }
  EXPECT_NEAR(settings.c * residual.sum(), 0.0, 1e-9);
  const Vec<double> gradient = settings.c * (p.x * residual);
  for (long j = 0; j < 20; ++j) {
    const double w = probe.weights(0, j);
    if (w != 0)
      EXPECT_NEAR(gradient(j), w > 0 ? -1.0 : 1.0, 1e-9) << j;
    else
      EXPECT_LE(std::abs(gradient(j)), 1 + 1e-9) << j;
  }
  EXPECT_NE(probe.weights(0, 3), 0.0);
  EXPECT_NE(probe.weights(0, 7), 0.0);
  EXPECT_LE(featuresUsed(probe), 6);
}

// The planted data's full probe (ridge on the numbers, or logistic on the 0/1 labels) and its L1 path.
struct PlantedPath {
  Planted train = planted(2000, 3), test = planted(2000, 4);
  bool logistic;
  ProbeSettings full;
  LabelKind kind;
  double fullScore = 0;
  L1Path path;
  explicit PlantedPath(bool isLogistic)
      : logistic(isLogistic), kind(isLogistic ? LabelKind::Binary : LabelKind::Scalar) {
    full.kind = logistic ? ProbeKind::Logistic : ProbeKind::Ridge;
    const LinearProbe probe = fitLinearProbe(train.x, yTrain(), kind, 0, full);
    fullScore = probeScore(probe, predictWithProbe(probe, test.x), yTest());
    path = l1Path(train.x, yTrain(), test.x, yTest(), kind, 0, full, fullScore);
  }
  const std::vector<double>& yTrain() const { return logistic ? train.binary : train.number; }
  const std::vector<double>& yTest() const { return logistic ? test.binary : test.number; }
};

TEST(L1Path, FindsThatTwoUnitsCarryThePlantedLabel) {
  for (const bool logistic : {false, true}) {
    const PlantedPath planted(logistic);
    const L1Path& path = planted.path;
    const double fullScore = planted.fullScore;
    const std::vector<double>&yTrain = planted.yTrain(), &yTest = planted.yTest();
    ASSERT_FALSE(path.points.empty());
    // R^2: 95 % of the score; accuracy: 95 % of the gain over the majority class.
    EXPECT_DOUBLE_EQ(path.target, path.baseline + 0.95 * (fullScore - path.baseline));
    EXPECT_EQ(path.baseline, logistic ? constantScore(yTrain, yTest, ProbeKind::Logistic) : 0.0);
    // Unit 3 carries most of the label, unit 7 the rest: one unit alone is not enough, the two are.
    EXPECT_EQ(path.unitsFor95, 2) << (logistic ? "logistic" : "lasso");
    EXPECT_EQ(path.featuresFor95, (std::vector<long>{3, 7}));
    EXPECT_GE(path.points.front().units, 1);
    for (size_t k = 1; k < path.points.size(); ++k) {
      EXPECT_GT(logistic ? path.points[k].penalty : path.points[k - 1].penalty,
                logistic ? path.points[k - 1].penalty : path.points[k].penalty);
    }
  }
}

// A probe of every layer numbers its features layer by layer, direction by direction: the L1 path's units
// become one mean-ablation per layer and direction, as `intervene --set` reads them.
TEST(L1Path, ItsUnitsBecomeMeanAblations) {
  const std::vector<FeatureUnit> units = probeFeatureUnits(-1, {1, 2}, {3, 2});
  ASSERT_EQ(units.size(), 7u);
  EXPECT_EQ(units[6].layer, 1);
  EXPECT_EQ(units[6].direction, 1);
  EXPECT_EQ(units[6].unit, 1);
  std::vector<std::string> texts;
  for (const InterventionSpec& spec : meanAblationSpecs({6, 0, 4, 2}, units, Quantity::C, {{"fwd"}, {"fwd", "bwd"}}))
    texts.push_back(spec.text());
  EXPECT_EQ(texts, (std::vector<std::string>{"0/fwd/c:0,2=mean", "1/fwd/c:1=mean", "1/bwd/c:1=mean"}));
  EXPECT_EQ(probeFeatureUnits(1, {1, 2}, {3, 2}).front().layer, 1);
}

// Steering along the probe the path keeps: the shift is the labels' standard deviation (numbers) or the gap
// between the classes' mean scores (0/1), and the added values move the kept probe's score by exactly it.
TEST(L1Path, ItsProbeBecomesASteeringDirection) {
  for (const bool logistic : {false, true}) {
    const PlantedPath planted(logistic);
    const L1Path& path = planted.path;
    const Planted& train = planted.train;
    const std::vector<double>& yTrain = planted.yTrain();
    const LabelKind kind = planted.kind;
    const ProbeSettings& full = planted.full;
    ASSERT_EQ(path.featuresFor95, (std::vector<long>{3, 7}));
    ASSERT_EQ(path.probeFor95.weights.cols(), 2);
    // The kept probe is the full probe refitted on units 3 and 7 alone.
    const Mat<double> kept = train.x(path.featuresFor95, Eigen::all);
    const LinearProbe refit = fitLinearProbe(kept, yTrain, kind, 0, full);
    EXPECT_LT((refit.weights - path.probeFor95.weights).cwiseAbs().maxCoeff(), 1e-12);
    // The shift, computed here the long way.
    double expected = 0;
    if (logistic) {
      double sum[2] = {0, 0}, count[2] = {0, 0};
      for (long t = 0; t < kept.cols(); ++t) {
        const int c = yTrain[static_cast<size_t>(t)] > 0.5;
        sum[c] += refit.weights.row(0).dot(kept.col(t)), count[c] += 1;
      }
      expected = sum[1] / count[1] - sum[0] / count[0];
      EXPECT_GT(expected, 0);  // class 1 scores higher
    } else {
      double mean = 0, squares = 0;
      for (const double y : yTrain) mean += y / 2000.0;
      for (const double y : yTrain) squares += (y - mean) * (y - mean);
      expected = std::sqrt(squares / 2000.0);
    }
    EXPECT_NEAR(path.steeringShift, expected, 1e-9 * std::abs(expected));
    const std::vector<FeatureUnit> units = probeFeatureUnits(-1, {1}, {20});
    const std::vector<InterventionSpec> specs =
        steeringSpecs(path.featuresFor95, path.probeFor95.weights.row(0).transpose(), path.steeringShift, units,
                      Quantity::H, {{"fwd"}});
    ASSERT_EQ(specs.size(), 2u);
    double moved = 0;
    for (size_t k = 0; k < 2; ++k) {
      const InterventionSpec back = parseInterventionSpec(specs[k].text());  // what `intervene --set` reads
      EXPECT_EQ(back.units, std::vector<int>{k == 0 ? 3 : 7});
      EXPECT_EQ(back.value, InterventionValue::Add);
      EXPECT_EQ(back.quantity, Quantity::H);
      moved += path.probeFor95.weights(0, static_cast<long>(k)) * back.number;
    }
    EXPECT_NEAR(moved, path.steeringShift, 1e-12 * std::abs(path.steeringShift));
  }
  // Categories have one direction per category: no shift, no specs.
  EXPECT_TRUE(std::isnan(steeringShift(LinearProbe{}, Mat<double>(2, 0), {}, LabelKind::Categorical)));
  EXPECT_TRUE(
      steeringSpecs({0}, Vec<double>::Zero(1), 1.0, probeFeatureUnits(-1, {1}, {2}), Quantity::C, {{"fwd"}}).empty());
}

// The curve's probe itself is a steering direction too (the app's "Steer (all units)"): runProbe gives its
// shift, computed here the long way on the same training steps, and one spec per unit moves w.x by it.
TEST(L1Path, TheWholeProbeIsASteeringDirectionToo) {
  for (const bool logistic : {false, true}) {
    const Planted p = planted(4000, 5);
    const Mat<float> values = p.x.cast<float>();  // as a recording holds them
    const QuantityValues read = [&](const QuantityRef&) { return values; };
    const std::vector<double>& y = logistic ? p.binary : p.number;
    const ProbeLabel label = makeProbeLabel("planted", y, {});
    const ProbeSplit split = splitByDocuments({0, 4000});
    ProbeSettings settings;
    settings.kind = logistic ? ProbeKind::Logistic : ProbeKind::Ridge;
    const ProbeOutcome outcome = runProbe(0, Quantity::H, {1}, read, label, y, split, settings);
    ASSERT_EQ(outcome.probe.weights.rows(), 1);
    const Mat<double> train = values.cast<double>()(Eigen::all, split.train);
    double expected = 0;
    const long n = train.cols();
    if (logistic) {
      double sum[2] = {0, 0}, count[2] = {0, 0};
      for (long t = 0; t < n; ++t) {
        const int c = y[static_cast<size_t>(split.train[static_cast<size_t>(t)])] > 0.5;
        sum[c] += outcome.probe.weights.row(0).dot(train.col(t)), count[c] += 1;
      }
      expected = sum[1] / count[1] - sum[0] / count[0];
    } else {
      double mean = 0, squares = 0;
      for (const long t : split.train) mean += y[static_cast<size_t>(t)] / static_cast<double>(n);
      for (const long t : split.train)
        squares += (y[static_cast<size_t>(t)] - mean) * (y[static_cast<size_t>(t)] - mean);
      expected = std::sqrt(squares / static_cast<double>(n));
    }
    EXPECT_GT(expected, 0);
    EXPECT_NEAR(outcome.steeringShift, expected, 1e-9 * expected) << (logistic ? "logistic" : "ridge");
    std::vector<long> every(20);
    for (long j = 0; j < 20; ++j) every[static_cast<size_t>(j)] = j;
    const std::vector<InterventionSpec> specs =
        steeringSpecs(every, outcome.probe.weights.row(0).transpose(), outcome.steeringShift,
                      probeFeatureUnits(0, {1}, {20}), Quantity::H, {{"fwd"}});
    ASSERT_EQ(specs.size(), 20u);
    double moved = 0;
    for (const InterventionSpec& spec : specs) {
      const InterventionSpec back = parseInterventionSpec(spec.text());
      ASSERT_EQ(back.units.size(), 1u);
      moved += outcome.probe.weights(0, back.units[0]) * back.number;
    }
    EXPECT_NEAR(moved, outcome.steeringShift, 1e-12 * outcome.steeringShift);
  }
}

// Constant units carry nothing: none is given a weight, even at values whose centring leaves rounding
// (0.1, 0.3) and labels whose mean is not exact; with only such units the path is empty, as with none.
TEST(L1Path, ConstantUnitsGetNoWeightAndAloneGiveAnEmptyPath) {
  Mat<double> flat(3, 10);
  flat.row(0).setConstant(0.1), flat.row(1).setConstant(0.3), flat.row(2).setConstant(-7.7);
  std::vector<double> y, binary;
  for (int k = 0; k < 10; ++k) y.push_back(0.1 * k + 0.37), binary.push_back(k % 3 == 0 ? 1.0 : 0.0);
  ProbeSettings full;
  EXPECT_TRUE(l1Path(flat, y, flat, y, LabelKind::Scalar, 0, full, 0.5).points.empty());
  full.kind = ProbeKind::Logistic;
  EXPECT_TRUE(l1Path(flat, binary, flat, binary, LabelKind::Binary, 0, full, 0.9).points.empty());
  const L1Path none = l1Path(Mat<double>(0, 10), y, Mat<double>(0, 10), y, LabelKind::Scalar, 0, ProbeSettings{}, 0.5);
  EXPECT_TRUE(none.points.empty());
  EXPECT_EQ(none.unitsFor95, -1);
  // Beside a unit that varies, the constant ones stay at 0 at every penalty.
  Planted p = planted(500, 5);
  p.x.row(0).setConstant(0.1), p.x.row(1).setConstant(0.3);
  ProbeSettings lasso;
  lasso.penalty = ProbePenalty::L1, lasso.alpha = 1e-6;
  const LinearProbe weak = fitLinearProbe(p.x, p.number, LabelKind::Scalar, 0, lasso);
  EXPECT_EQ(weak.weights(0, 0), 0.0);
  EXPECT_EQ(weak.weights(0, 1), 0.0);
  EXPECT_NE(weak.weights(0, 3), 0.0);
  ProbeSettings logistic;
  logistic.kind = ProbeKind::Logistic, logistic.penalty = ProbePenalty::L1, logistic.c = 100;
  const LinearProbe loose = fitLinearProbe(p.x, p.binary, LabelKind::Binary, 0, logistic);
  EXPECT_EQ(loose.weights(0, 0), 0.0);
  EXPECT_EQ(loose.weights(0, 1), 0.0);
}

// On an imbalanced 0/1 label the constant prediction is already accurate: the target is 95 % of the full
// probe's gain over it, so a unit that tells nothing does not "reach 95 %".
TEST(L1Path, TheTargetIsMeasuredFromTheMajorityClass) {
  EXPECT_DOUBLE_EQ(constantScore({0, 0, 0, 1}, {0, 1, 0, 0, 0}, ProbeKind::Logistic), 0.8);
  EXPECT_DOUBLE_EQ(constantScore({2, 1, 2, 1}, {1, 1, 2}, ProbeKind::Logistic), 2.0 / 3);  // tie: the smaller
  EXPECT_EQ(constantScore({5, 6}, {7}, ProbeKind::Ridge), 0.0);
  const Planted train = planted(2000, 6), test = planted(2000, 7);
  std::vector<double> rare(train.binary.size()), rareTest(test.binary.size());
  for (size_t t = 0; t < rare.size(); ++t)  // on at about 4 % of the steps
    rare[t] = train.x(3, static_cast<long>(t)) > 1.85 ? 1 : 0,
    rareTest[t] = test.x(3, static_cast<long>(t)) > 1.85 ? 1 : 0;
  ProbeSettings full;
  full.kind = ProbeKind::Logistic;
  const LinearProbe probe = fitLinearProbe(train.x, rare, LabelKind::Binary, 0, full);
  const double fullScore = probeScore(probe, predictWithProbe(probe, test.x), rareTest);
  const L1Path path = l1Path(train.x, rare, test.x, rareTest, LabelKind::Binary, 0, full, fullScore);
  ASSERT_GT(fullScore, path.baseline);
  EXPECT_DOUBLE_EQ(path.target, path.baseline + 0.95 * (fullScore - path.baseline));
  EXPECT_GT(path.baseline, 0.9);
  // Unit 3 alone is the label: the path finds it and only it.
  EXPECT_EQ(path.featuresFor95, (std::vector<long>{3}));
}

}  // namespace
}  // namespace lstmscope
