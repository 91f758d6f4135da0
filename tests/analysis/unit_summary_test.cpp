// The unit summaries' builder (core/analysis/unit_summary.h): worked examples, and the same result
// whatever the order of the blocks (record's document lanes deliver them out of order). The full
// definition is checked against numpy by tests/summaries/unit_summary_oracle.py.
#include "core/analysis/unit_summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
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
  EXPECT_EQ(a.mean, b.mean);  // the sums are exact: the same bits in any order
  EXPECT_EQ(a.stddev, b.stddev);
  for (int u = 0; u < units; ++u) {
    int64_t total = 0;
    for (int k = 0; k < 64; ++k) total += a.histogram[static_cast<size_t>(u * 64 + k)];
    EXPECT_EQ(total, steps);
  }
}

// Every number of two summaries, bit for bit (NaN for a unit with no finite value included).
template <typename T>
void expectSameBits(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(T)), 0) << what;
}
void expectSameSummaries(const UnitSummaries& a, const UnitSummaries& b) {
  expectSameBits(a.count, b.count, "count");
  expectSameBits(a.nonFinite, b.nonFinite, "nonFinite");
  expectSameBits(a.mean, b.mean, "mean");
  expectSameBits(a.stddev, b.stddev, "stddev");
  expectSameBits(a.min, b.min, "min");
  expectSameBits(a.max, b.max, "max");
  expectSameBits(a.binStart, b.binStart, "binStart");
  expectSameBits(a.binWidth, b.binWidth, "binWidth");
  expectSameBits(a.histogram, b.histogram, "histogram");
  expectSameBits(a.highSteps, b.highSteps, "highSteps");
  expectSameBits(a.lowSteps, b.lowSteps, "lowSteps");
  expectSameBits(a.highValues, b.highValues, "highValues");
  expectSameBits(a.lowValues, b.lowValues, "lowValues");
}

// The ranks of an MPI record each summarise their share of the steps; merged (after a trip through bytes)
// they must give the serial builder's summaries exactly, whatever the split: uneven shares, a rank with no
// step, units whose ranges differ between the shares by many orders of magnitude (the histogram's width
// changes in the merge), tiny, denormal and non-finite values.
TEST(UnitSummary, BuildersOfPartsMergeIntoTheBuilderOfTheWhole) {
  std::mt19937 rng(5);
  const int units = 9;
  const long steps = 5000;
  std::vector<float> values(static_cast<size_t>(steps * units));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (long k = 0; k < steps; ++k)
    for (int u = 0; u < units; ++u) {
      float& v = values[static_cast<size_t>(k * units + u)];
      v = normal(rng);
      if (u == 1) v *= k < 2500 ? 1e-3f : 1e4f;                // the second half is far wider
      if (u == 2) v *= 1e-40f;                                 // denormals
      if (u == 3 && k % 997 == 0) v = k % 2 ? INFINITY : NAN;  // non-finite, in no other number
      if (u == 4) v = std::round(v * 2) / 2;                   // ties between steps
      if (u == 5) v = k < 4000 ? 0.0f : v * 3e30f;             // one value first, huge ones later
      if (u == 6 && k >= 100) v = NAN;                         // finite only in the first share
      if (u == 7) v = k % 2 ? -1e-30f * (1 + k) : 2e20f + k;   // exponents far apart in every block
    }
  const std::vector<int64_t> offsets{0, 90, 90, 2600, 4100, 5000};
  UnitSummaryBuilder whole(units, offsets);
  for (long s = 0; s < steps; s += 64) whole.add(s, std::min(64L, steps - s), values.data() + s * units, units);
  for (const std::vector<long>& cuts : {std::vector<long>{0, 2500, 5000}, std::vector<long>{0, 90, 90, 4100, 5000},
                                        std::vector<long>{0, 0, 1, 3001, 5000, 5000}}) {
    std::vector<std::vector<uint8_t>> sent;
    for (size_t r = 0; r + 1 < cuts.size(); ++r) {
      UnitSummaryBuilder part(units, offsets);
      for (long s = cuts[r]; s < cuts[r + 1]; s += 37) {
        const long n = std::min(37L, cuts[r + 1] - s);
        part.add(s, n, values.data() + s * units, units);
      }
      sent.push_back(part.serialize());
    }
    UnitSummaryBuilder merged = UnitSummaryBuilder::deserialize(sent[0], units, offsets);
    for (size_t r = 1; r < sent.size(); ++r) merged.merge(UnitSummaryBuilder::deserialize(sent[r], units, offsets));
    SCOPED_TRACE("shares cut at " + std::to_string(cuts.size() - 1) + " ranks");
    expectSameSummaries(merged.finish(), whole.finish());
  }
}

TEST(UnitSummary, AStateOfAnotherShapeIsRefused) {
  UnitSummaryBuilder b(3, {0, 10});
  const float v[3] = {1, 2, 3};
  b.add(0, 1, v, 3);
  std::vector<uint8_t> bytes = b.serialize();
  EXPECT_THROW(UnitSummaryBuilder::deserialize(bytes, 4, {0, 10}), std::invalid_argument);
  bytes.pop_back();
  EXPECT_THROW(UnitSummaryBuilder::deserialize(bytes, 3, {0, 10}), std::invalid_argument);
  EXPECT_THROW(b.merge(UnitSummaryBuilder(3, {0, 5, 10})), std::invalid_argument);
  // Bytes of the right length whose numbers no builder holds: a negative count, a bin width out of range.
  const std::vector<uint8_t> good = b.serialize();
  std::vector<uint8_t> negative = good, wide = good;
  const int64_t minusOne = -1;
  std::memcpy(negative.data() + sizeof(uint64_t), &minusOne, sizeof minusOne);  // unit 0's count
  EXPECT_THROW(UnitSummaryBuilder::deserialize(negative, 3, {0, 10}), std::invalid_argument);
  const int huge = 1 << 30;  // unit 0's exponent: after count, non-finite, the exact sums, min and max
  const size_t exponentAt = sizeof(uint64_t) + 2 * sizeof(int64_t) + 32 * (8 + 16) + 2 * sizeof(double);
  std::memcpy(wide.data() + exponentAt, &huge, sizeof huge);
  EXPECT_THROW(UnitSummaryBuilder::deserialize(wide, 3, {0, 10}), std::invalid_argument);
  EXPECT_NO_THROW(UnitSummaryBuilder::deserialize(good, 3, {0, 10}));
}

}  // namespace
}  // namespace lstmscope
