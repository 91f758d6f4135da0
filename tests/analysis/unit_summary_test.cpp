// The unit summaries' builder (core/analysis/unit_summary.h): worked examples, and the same result
// whatever the order of the blocks (record's document lanes deliver them out of order). The full
// definition is checked against numpy by tests/summaries/unit_summary_oracle.py.
#include "core/analysis/unit_summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace lstmscope {
namespace {

TEST(UnitSummary, HistogramTakesTheNarrowestPowerOfTwoWidthThatFits) {
  UnitSummaryBuilder b(1, {0, 3});
  const float values[] = {0.0f, 0.5f, 1.0f};
  b.add(0, 3, values, 1);
  const UnitSummaries s = b.finish();
  // Width 1/64 would need bins 0..64 (65 bins); 1/32 needs 0..32.
  EXPECT_EQ(s.binWidth[0], 1.0 / 32);
  EXPECT_EQ(s.binStart[0], 0.0);
  EXPECT_EQ(s.histogram[0], 1);
  EXPECT_EQ(s.histogram[16], 1);
  EXPECT_EQ(s.histogram[32], 1);
  EXPECT_EQ(std::count(s.histogram.begin(), s.histogram.begin() + 64, 0), 61);
  EXPECT_DOUBLE_EQ(s.mean[0], 0.5);
  EXPECT_DOUBLE_EQ(s.stddev[0], std::sqrt(1.0 / 6));
  EXPECT_EQ(s.min[0], 0.0);
  EXPECT_EQ(s.max[0], 1.0);
}

TEST(UnitSummary, NegativeValuesFallInTheBinBelowThem) {
  UnitSummaryBuilder b(1, {0, 2});
  const float values[] = {-0.75f, 0.25f};
  b.add(0, 2, values, 1);
  const UnitSummaries s = b.finish();
  EXPECT_EQ(s.binWidth[0], 1.0 / 32);  // at 1/64 the values fall in bins -48 and 16: 65 bins
  EXPECT_EQ(s.binStart[0], -0.75);
  EXPECT_EQ(s.histogram[0], 1);
  EXPECT_EQ(s.histogram[32], 1);
}

TEST(UnitSummary, ExtremesOfADocumentAreMoreThanTheRadiusApart) {
  std::vector<float> values(40, 0.0f);
  values[5] = 1.0f, values[7] = 0.9f, values[30] = 0.8f, values[12] = -1.0f;
  UnitSummaryOptions options;
  options.top = 3, options.radius = 10;
  UnitSummaryBuilder one(1, {0, 40}, options);
  one.add(0, 40, values.data(), 1);
  const UnitSummaries s = one.finish();
  // Step 7 is within 10 steps of step 5; the third is the earliest zero more than 10 steps from both.
  EXPECT_EQ(std::vector<int64_t>(s.highSteps.begin(), s.highSteps.end()), (std::vector<int64_t>{5, 30, 16}));
  EXPECT_EQ(s.highValues[0], 1.0f);
  EXPECT_EQ(s.lowSteps[0], 12);
  // A document border between them: both are kept.
  UnitSummaryBuilder two(1, {0, 6, 40}, options);
  two.add(0, 40, values.data(), 1);
  const UnitSummaries t = two.finish();
  EXPECT_EQ(std::vector<int64_t>(t.highSteps.begin(), t.highSteps.end()), (std::vector<int64_t>{5, 7, 30}));
}

TEST(UnitSummary, NonFiniteValuesAreCountedApartAndFewerExtremesArePadded) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float values[] = {nan, 2.0f, inf, nan, 1.0f, -inf};  // unit 0: nan, inf, 1; unit 1: 2, nan, -inf
  UnitSummaryBuilder b(2, {0, 3});
  b.add(0, 3, values, 2);
  const UnitSummaries s = b.finish();
  EXPECT_EQ(s.count[0], 1);
  EXPECT_EQ(s.nonFinite[0], 2);
  EXPECT_EQ(s.count[1], 1);
  EXPECT_EQ(s.nonFinite[1], 2);
  EXPECT_EQ(s.highSteps[0], 2);  // unit 0's only finite value, 1.0 at step 2
  EXPECT_EQ(s.highSteps[1], -1);
  EXPECT_TRUE(std::isnan(s.highValues[1]));
  UnitSummaryBuilder empty(1, {0, 1});
  empty.add(0, 1, &nan, 1);
  const UnitSummaries e = empty.finish();
  EXPECT_EQ(e.count[0], 0);
  EXPECT_TRUE(std::isnan(e.mean[0]));
  EXPECT_EQ(e.highSteps[0], -1);
}

TEST(UnitSummary, BlocksInAnyOrderGiveTheSameSummaries) {
  std::mt19937 rng(11);
  const int units = 7;
  const long steps = 3000;
  std::vector<float> values(static_cast<size_t>(steps * units));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t k = 0; k < values.size(); ++k) {
    const float scale = k % units == 3 ? 1000.0f : k % units == 5 ? 0.001f : 1.0f;
    values[k] = k % units == 6 ? std::round(normal(rng) * 2) / 2 : normal(rng) * scale;  // unit 6: many ties
  }
  const std::vector<int64_t> offsets{0, 700, 701, 2200, 3000};
  UnitSummaryBuilder inOrder(units, offsets);
  inOrder.add(0, steps, values.data(), units);
  std::vector<long> starts;
  for (long s = 0; s < steps; s += 97) starts.push_back(s);
  std::shuffle(starts.begin(), starts.end(), rng);
  UnitSummaryBuilder shuffled(units, offsets);
  for (long s : starts) shuffled.add(s, std::min(97L, steps - s), values.data() + s * units, units);
  const UnitSummaries a = inOrder.finish(), b = shuffled.finish();
  EXPECT_EQ(a.histogram, b.histogram);
  EXPECT_EQ(a.binStart, b.binStart);
  EXPECT_EQ(a.binWidth, b.binWidth);
  EXPECT_EQ(a.highSteps, b.highSteps);
  EXPECT_EQ(a.lowSteps, b.lowSteps);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
  for (int u = 0; u < units; ++u) {
    EXPECT_NEAR(a.mean[u], b.mean[u], 1e-12 * std::max(1.0, std::abs(a.mean[u])));
    EXPECT_NEAR(a.stddev[u], b.stddev[u], 1e-9 * a.stddev[u]);
    int64_t total = 0;
    for (int k = 0; k < 64; ++k) total += a.histogram[static_cast<size_t>(u * 64 + k)];
    EXPECT_EQ(total, steps);
  }
}

}  // namespace
}  // namespace lstmscope
