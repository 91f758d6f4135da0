// The selection rule and statistics, against hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/analysis/aggregation.h"
#include "core/analysis/projection.h"
#include "core/analysis/selection.h"
#include "core/analysis/statistics.h"

namespace lstmscope::test {
namespace {

Mat<float> rows(std::initializer_list<std::initializer_list<float>> r) {
  Mat<float> m(static_cast<long>(r.size()), static_cast<long>(r.begin()->size()));
  long i = 0;
  for (const auto& row : r) {
    long j = 0;
    for (float v : row) m(i, j++) = v;
    ++i;
  }
  return m;
}

// Worked example of LSTMVis's rule: brush steps [3, 5), one step before must be off, threshold 0.3.
TEST(Selection, LstmVisRuleOnAWorkedExample) {
  const Mat<float> v = rows({
      {0, 0, 0.1f, 0.5f, 0.6f, 0.7f, 0, 0},      // A: off at 2, on at 3 and 4 -> selected (margin 0.5 - 0.1)
      {0, 0, 0.4f, 0.5f, 0.6f, 0, 0, 0},         // B: on at 2 -> not selected
      {0, 0, -1.0f, 0.35f, 0.9f, 0, 0, 0},       // C: selected, margin 0.35 - (-1)
      {0, 0, 0, 0.5f, 0.2f, 0, 0, 0},            // D: off inside -> not selected
      {0, 0, 0.29f, 0.3f, 0.3f, 0.3f, 0.3f, 0},  // E: exactly at the threshold counts as on
  });
  BrushQuery q;
  q.first = 3;
  q.end = 5;
  const auto s = selectUnits(v, q);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].unit, 2);
  EXPECT_NEAR(s[0].margin, 1.35, 1e-6);
  EXPECT_EQ(s[1].unit, 0);
  EXPECT_NEAR(s[1].margin, 0.4, 1e-6);
  EXPECT_EQ(s[2].unit, 4);
  EXPECT_NEAR(s[2].margin, 0.01, 1e-6);

  q.offAfter = 1;  // now step 5 must be off too: A and E are on there
  const auto strict = selectUnits(v, q);
  ASSERT_EQ(strict.size(), 1u);
  EXPECT_EQ(strict[0].unit, 2);
}

TEST(Selection, ClipsMarginsAtTheEdgesAndRefusesEmptyBrushes) {
  const Mat<float> v = rows({{0.8f, 0.9f, 0.0f}, {0.8f, 0.1f, 0.0f}});
  BrushQuery q;
  q.first = 0;
  q.end = 2;
  q.offAfter = 1;
  const auto s = selectUnits(v, q);  // no step before 0: only "on at 0, 1 and off at 2" is checked
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].unit, 0);
  EXPECT_NEAR(s[0].margin, 0.8, 1e-6);
  q.end = 0;
  EXPECT_TRUE(selectUnits(v, q).empty());
  q.first = 2;
  q.end = 4;
  EXPECT_TRUE(selectUnits(v, q).empty());
}

TEST(Statistics, GateSaturationFractions) {
  const auto s = gateSaturation(rows({{0.05f, 0.5f, 0.95f, 0.91f, 0.1f}, {0.9f, 0.9f, 0.9f, 0.9f, 0.9f}}));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0].left, 0.2);  // 0.1 itself is not left-saturated
  EXPECT_DOUBLE_EQ(s[0].right, 0.4);
  EXPECT_DOUBLE_EQ(s[1].right, 0.0);  // nor is 0.9 right-saturated
}

TEST(Statistics, TopKIsOrderedWithTiesToTheLowerId) {
  const Mat<float> p = rows({{0.1f, 0.7f}, {0.4f, 0.1f}, {0.4f, 0.1f}, {0.1f, 0.1f}});
  const auto top = topK(p, 0, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].id, 1);
  EXPECT_EQ(top[1].id, 2);
  EXPECT_FLOAT_EQ(top[1].probability, 0.4f);
  EXPECT_EQ(topK(p, 1, 10).size(), 4u);
  EXPECT_EQ(topK(p, 1, 1)[0].id, 0);
}

// Points on a line along d = (1, 2, 2)/3 plus a small wobble along e = (2, -1, 0)/sqrt(5).
// The heatmap's automatic colour range: symmetric, the 1st to 99th percentile, so a few counter units
// reaching hundreds do not wash out the rest; it visits every unit (a stride sharing a factor with the
// number of units would skip the counters in the tail); no finite value gives (-1, 1).
TEST(Statistics, SymmetricPercentileRangeIgnoresAFewExtremeUnits) {
  Mat<float> values(256, 1000);
  for (long t = 0; t < 1000; ++t)
    for (long u = 0; u < 256; ++u) values(u, t) = static_cast<float>(((u * 1000 + t) % 2001) - 1000) / 1000.f;
  values.row(255).setConstant(500.f);  // a counter: 0.4 % of the values, beyond the 99th percentile
  const auto [low, high] = symmetricPercentileRange(values);
  EXPECT_EQ(low, -high);
  EXPECT_NEAR(high, 0.99, 0.02);
  values.bottomRows(4).setConstant(500.f);  // 1.6 %: now inside the range's percentile
  EXPECT_EQ(symmetricPercentileRange(values).second, 500.0);
  EXPECT_EQ(symmetricPercentileRange(Mat<float>::Constant(3, 4, std::nanf(""))), std::make_pair(-1.0, 1.0));
  EXPECT_EQ(symmetricPercentileRange(Mat<float>::Zero(3, 4)), std::make_pair(-1.0, 1.0));
}

// An intervention's difference map: the range comes from the units it did not set (their downstream
// changes), not from the set unit's own change; NaN is skipped; all units when only the set ones changed.
TEST(Statistics, DifferenceRangeLeavesOutTheUnitsAnInterventionSets) {
  Mat<float> difference = Mat<float>::Zero(5, 6);
  difference(2, 3) = -7.f;  // the ablated unit: its whole value
  difference(0, 4) = 0.25f, difference(4, 5) = -0.5f, difference(1, 5) = std::nanf("");
  EXPECT_EQ(differenceRange(difference, {2}), std::make_pair(-0.5, 0.5));
  EXPECT_EQ(differenceRange(difference, {}), std::make_pair(-7.0, 7.0));
  EXPECT_EQ(differenceRange(difference, {2, 4, 99, -1}), std::make_pair(-0.25, 0.25));  // out of range ignored
  EXPECT_EQ(differenceRange(difference, {0, 2, 4}), std::make_pair(-7.0, 7.0));         // nothing else changed
  EXPECT_EQ(differenceRange(Mat<float>::Zero(3, 2), {1}), std::make_pair(-1e-12, 1e-12));
}

TEST(Projection, FindsTheAxesAndVariancesOfAKnownCloud) {
  const Vec<double> d = Vec<double>::Map(std::vector<double>{1.0 / 3, 2.0 / 3, 2.0 / 3}.data(), 3);
  const Vec<double> e = Vec<double>::Map(std::vector<double>{2 / std::sqrt(5.0), -1 / std::sqrt(5.0), 0}.data(), 3);
  const double s[] = {-2, -1, 0, 1, 2}, w[] = {0.1, -0.2, 0.2, -0.2, 0.1};  // w: mean 0, orthogonal to s
  Mat<float> states(3, 5);
  for (int t = 0; t < 5; ++t) states.col(t) = (Vec<double>::Constant(3, 0.5) + s[t] * d + w[t] * e).cast<float>();
  const Projection p = principalComponents(states, 2);
  EXPECT_LE((p.axes.col(0) - d).cwiseAbs().maxCoeff(), 1e-6);  // sign fixed: largest entry positive
  EXPECT_LE((p.axes.col(1).cwiseAbs() - e.cwiseAbs()).cwiseAbs().maxCoeff(), 1e-5);
  EXPECT_NEAR(p.variance[0], 2.5, 1e-6);    // var of s with n - 1
  EXPECT_NEAR(p.variance[1], 0.035, 1e-6);  // var of w
  EXPECT_NEAR(p.totalVariance, 2.535, 1e-6);
  for (int t = 0; t < 5; ++t) EXPECT_NEAR(p.coordinates(0, t), s[t], 1e-6);
  EXPECT_NEAR(p.mean[1], 0.5, 1e-6);
}

TEST(Aggregation, MinMaxBinsAndPyramid) {
  const Mat<float> v = rows({{1, -3, 2, 5, -1}});
  const MinMax m = aggregateMinMax(v, 2);
  ASSERT_EQ(m.min.cols(), 3);
  EXPECT_EQ(m.min, rows({{-3, 2, -1}}));
  EXPECT_EQ(m.max, rows({{1, 5, -1}}));
  const auto pyramid = minMaxPyramid(v);
  ASSERT_EQ(pyramid.size(), 3u);
  EXPECT_EQ(pyramid[0].max, m.max);
  EXPECT_EQ(pyramid[1].min, rows({{-3, -1}}));
  EXPECT_EQ(pyramid[1].max, rows({{5, -1}}));
  EXPECT_EQ(pyramid[2].min, rows({{-3}}));
  EXPECT_EQ(pyramid[2].max, rows({{5}}));
  EXPECT_TRUE(minMaxPyramid(rows({{1}})).empty());
  // Starting at bins of 4: levels of 4 and 8 steps.
  const auto coarse = minMaxPyramid(v, 4);
  ASSERT_EQ(coarse.size(), 2u);
  EXPECT_EQ(coarse[0].min, rows({{-3, -1}}));
  EXPECT_EQ(coarse[1].max, rows({{5}}));
}

TEST(Aggregation, NaNPropagatesThroughEveryLevel) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Mat<float> v = rows({{1, 2, nan, 4, 5, 6, 7, 8}, {1, 2, 3, 4, 5, 6, 7, 8}});
  const auto pyramid = minMaxPyramid(v);
  ASSERT_EQ(pyramid.size(), 3u);
  EXPECT_TRUE(std::isnan(pyramid[0].min(0, 1)) && std::isnan(pyramid[0].max(0, 1)));
  EXPECT_EQ(pyramid[0].min(0, 0), 1);
  EXPECT_TRUE(std::isnan(pyramid[2].min(0, 0)) && std::isnan(pyramid[2].max(0, 0)));
  EXPECT_EQ(pyramid[2].min(1, 0), 1);
  EXPECT_EQ(pyramid[2].max(1, 0), 8);
}

}  // namespace
}  // namespace lstmscope::test
