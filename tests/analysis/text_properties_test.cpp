// The text structures a new user is first shown (bracket depth, strings, line position) and the unit that
// tracks one of them best, against values worked out by hand and an independent correlation.
#include "core/analysis/text_properties.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/character_steps.h"

namespace lstmscope {
namespace {

using test::characters;

std::vector<double> asVector(const Vec<double>& v) {
  return {v.data(), v.data() + v.size()};
}

TEST(TextProperties, DepthQuotesAndLinePositionStepByStep) {
  const auto p = textProperties(characters("f(a[\"(\\\"\"])\nx"));
  //                                         f  (  a  [  "  (  \  "  "  ]  )  \n x
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].name, "bracket depth");
  EXPECT_EQ(asVector(p[0].values), (std::vector<double>{0, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0, 0, 0}));
  EXPECT_EQ(p[1].name, "inside quotes");  // the escaped quote does not end the string; "(" in it is text
  EXPECT_EQ(asVector(p[1].values), (std::vector<double>{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(p[2].name, "position in line");
  EXPECT_EQ(asVector(p[2].values), (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1}));
}

TEST(TextProperties, ClosingsNeverGoBelowZeroAndWordsCountEveryCharacter) {
  const auto p = textProperties({"))", "f(x,", "y)", "'it", "s'"});
  EXPECT_EQ(asVector(p[0].values), (std::vector<double>{0, 1, 0, 0, 0}));
  EXPECT_EQ(asVector(p[1].values), (std::vector<double>{0, 0, 0, 1, 0}));
}

// Pearson r written out plainly, as an independent check of the vectorised one.
double pearson(const Mat<float>& values, long unit, const Vec<double>& q) {
  const long T = values.cols();
  double mx = 0, my = 0;
  for (long t = 0; t < T; ++t) mx += values(unit, t), my += q(t);
  mx /= T, my /= T;
  double sxy = 0, sxx = 0, syy = 0;
  for (long t = 0; t < T; ++t) {
    const double dx = values(unit, t) - mx, dy = q(t) - my;
    sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(BestTrackingUnit, FindsTheUnitThatFollowsAPropertyWithItsCorrelation) {
  const auto p = textProperties(characters("def f(a, (b)):\n    return [a, {b: 'x(y'}]\n"));
  const long T = p[0].values.size();
  std::mt19937 rng(4);
  std::normal_distribution<float> noise(0, 0.3f);
  Mat<float> values(6, T);
  for (long u = 0; u < 6; ++u)
    for (long t = 0; t < T; ++t) values(u, t) = noise(rng);
  for (long t = 0; t < T; ++t) values(4, t) -= 0.8f * static_cast<float>(p[0].values(t));  // anti-depth
  values.row(2).setConstant(5);                                                            // constant: skipped
  const TrackingUnit best = bestTrackingUnit(values, p);
  EXPECT_EQ(best.property, "bracket depth");
  EXPECT_EQ(best.unit, 4);
  EXPECT_NEAR(best.correlation, pearson(values, 4, p[0].values), 1e-12);
  EXPECT_LT(best.correlation, -0.8);
  for (long u = 0; u < 6; ++u) {
    if (u == 2) continue;
    for (const TextProperty& q : p)
      EXPECT_LE(std::abs(pearson(values, u, q.values)), std::abs(best.correlation) + 1e-12);
  }
}

TEST(BestTrackingUnit, WithoutATrackedPropertyTheWidestUnitAndNoClaim) {
  const auto p = textProperties(characters("abcdefghij"));  // no brackets or quotes; position = step
  Mat<float> values(3, 10);
  for (long t = 0; t < 10; ++t) values.col(t) << (t % 2 ? 1.f : -1.f), (t % 3 ? 0.2f : -0.2f), (t % 2 ? 3.f : -3.f);
  const TrackingUnit best = bestTrackingUnit(values, p);
  EXPECT_EQ(best.property, "");
  EXPECT_EQ(best.unit, 2);
  EXPECT_EQ(bestTrackingUnit(Mat<float>(0, 0), p).unit, -1);
}

}  // namespace
}  // namespace lstmscope
