// How the ranks of an MPI run share work (docs/SCALING.md), checked without MPI: the documents' shares, and
// match answers found share by share and merged, which must be the answer of one scan of every step; the
// units' shares, and unit scores taken share by share, which must be the bits of one pass over every unit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/parallel/parallel_match.h"
#include "core/parallel/parallel_probe.h"
#include "core/parallel/parallel_record.h"

namespace lstmscope {
namespace {

TEST(SharedWork, SharesAreContiguousBalancedAndCoverEveryDocument) {
  const std::vector<int64_t> offsets{0, 0, 10, 10, 500, 520, 530, 1000, 1000};
  for (int ranks = 1; ranks <= 12; ++ranks) {
    const std::vector<DocumentShare> shares = shareDocuments(offsets, ranks);
    ASSERT_EQ(static_cast<int>(shares.size()), ranks);
    EXPECT_EQ(shares.front().first, 0);
    EXPECT_EQ(shares.back().end, 8);
    for (int r = 0; r < ranks; ++r) {
      EXPECT_LE(shares[r].first, shares[r].end);
      if (r > 0) {
        EXPECT_EQ(shares[r].first, shares[r - 1].end);
      }
    }
  }
  // Two ranks: the boundary nearest to 500 steps, document 3's end.
  EXPECT_EQ(shareDocuments(offsets, 2)[0].end, 4);
  // More ranks than documents with steps: some shares are empty, none is cut.
  const std::vector<DocumentShare> many = shareDocuments({0, 300, 301}, 3);
  EXPECT_EQ(many[0].end - many[0].first + many[1].end - many[1].first + many[2].end - many[2].first, 2);
}

TEST(SharedWork, MatchesFoundShareByShareMergeIntoTheWholeScansAnswer) {
  std::mt19937 rng(3);
  const int units = 70;
  const std::vector<int64_t> offsets{0, 40, 41, 41, 300, 900, 905, 1500};
  Mat<float> values(units, offsets.back());
  std::bernoulli_distribution on(0.55);
  for (long t = 0; t < values.cols(); ++t)
    for (int u = 0; u < units; ++u) values(u, t) = on(rng) ? 0.9f : 0.1f;
  const StepWindowReader read = [&](long first, long count) { return Mat<float>(values.middleCols(first, count)); };
  for (const bool constrained : {false, true}) {
    MatchQuery query;
    query.units = {1, 5, 9, 64, 66};
    query.constrainLeft = query.constrainRight = constrained;
    query.top = 40;
    const MatchResult whole = findMatches(read, units, offsets, query);
    ASSERT_GT(whole.candidates, query.top);  // the merge must choose
    for (int ranks = 2; ranks <= 9; ++ranks) {
      std::vector<MatchResult> parts;
      for (const DocumentShare& share : shareDocuments(offsets, ranks))
        parts.push_back(findMatchesInDocuments(read, units, offsets, share, query));
      const MatchResult merged = mergeMatchResults(parts, query.top);
      SCOPED_TRACE(std::to_string(ranks) + " ranks");
      EXPECT_EQ(merged.candidates, whole.candidates);
      EXPECT_EQ(merged.steps, whole.steps);
      ASSERT_EQ(merged.matches.size(), whole.matches.size());
      for (size_t k = 0; k < whole.matches.size(); ++k) {
        const Match &a = merged.matches[k], &b = whole.matches[k];
        EXPECT_EQ(std::tie(a.start, a.length, a.document, a.intersection, a.unionSize, a.units),
                  std::tie(b.start, b.length, b.document, b.intersection, b.unionSize, b.units))
            << "match " << k;
      }
    }
  }
}

TEST(SharedWork, UnitSharesAreContiguousInBlocksOf16AndCoverEveryUnit) {
  for (const int units : {0, 1, 15, 16, 17, 77, 256, 1000})
    for (int ranks = 1; ranks <= 9; ++ranks) {
      const std::vector<UnitShare> shares = shareUnits(units, ranks);
      ASSERT_EQ(static_cast<int>(shares.size()), ranks);
      int next = 0, largest = 0;
      for (const UnitShare& s : shares) {
        EXPECT_EQ(s.first, next);
        EXPECT_GE(s.count, 0);
        if (s.first < units) {
          EXPECT_EQ(s.first % 16, 0);
        }
        next = s.first + s.count, largest = std::max(largest, s.count);
      }
      EXPECT_EQ(next, units) << units << " units, " << ranks << " ranks";
      // Balanced: no share holds more than one block of 16 above an even split of the blocks.
      EXPECT_LE(largest, ((units + 15) / 16 + ranks - 1) / ranks * 16);
    }
  EXPECT_EQ(shareUnits(77, 2)[0].count, 32);  // 5 blocks: 2 and 3
  EXPECT_EQ(shareUnits(77, 2)[1].count, 45);
}

// Scores are compared as bits: a share must compute each unit exactly as the whole does (the same rounding
// whatever the unit's row in the matrix it is read into).
void expectSameBits(const UnitScore& a, const UnitScore& b, const std::string& where) {
  EXPECT_EQ(std::memcmp(&a.score, &b.score, sizeof a.score), 0) << where << ": " << a.score << " vs " << b.score;
  EXPECT_EQ(std::memcmp(&a.strength, &b.strength, sizeof a.strength), 0) << where;
  EXPECT_EQ(std::memcmp(&a.threshold, &b.threshold, sizeof a.threshold), 0) << where;
  EXPECT_EQ(a.sign, b.sign) << where;
  EXPECT_EQ(a.category, b.category) << where;
}

TEST(SharedWork, UnitScoresTakenShareByShareAreTheBitsOfTheWholes) {
  std::mt19937 rng(11);
  const long steps = 1000;  // several of Pearson's 256-step blocks and a short last one
  std::normal_distribution<float> noise(0.f, 1.f);
  std::vector<double> numbers(steps), binary(steps), categories(steps);
  for (long t = 0; t < steps; ++t) {
    numbers[t] = std::sin(0.05 * t) + 0.3 * noise(rng);
    binary[t] = numbers[t] > 0.2 ? 1 : 0;
    categories[t] = static_cast<double>(t % 3);
  }
  const ProbeLabel scalar = makeProbeLabel("numbers", numbers, {}), onOff = makeProbeLabel("binary", binary, {});
  ProbeLabel categorical{"categories", LabelKind::Categorical, categories, {"a", "b", "c"}};
  for (const int units : {3, 77}) {
    Mat<float> values(units, steps);
    for (int u = 0; u < units; ++u)
      for (long t = 0; t < steps; ++t)  // the label's signal at strengths that differ, rounded to make ties
        values(u, t) = std::round(8.f * (static_cast<float>(numbers[t]) * (u % 7 - 3) / 3.f + noise(rng))) / 8.f;
    values.row(units - 1).setConstant(0.25f);        // unscored: constant
    if (units > 40) values(40, 17) = std::nanf("");  // unscored: not finite
    const std::vector<std::pair<const ProbeLabel*, RankingMetric>> cases{{&scalar, RankingMetric::Pearson},
                                                                         {&scalar, RankingMetric::Spearman},
                                                                         {&onOff, RankingMetric::Auc},
                                                                         {&onOff, RankingMetric::Iou},
                                                                         {&categorical, RankingMetric::Auc}};
    for (const auto& [label, metric] : cases)
      for (const int threads : {1, 3}) {
        const std::vector<UnitScore> whole = scoreUnits(values, *label, metric, threads);
        int scored = 0;
        for (const UnitScore& s : whole) scored += s.scored();
        EXPECT_EQ(scored, units - (units > 40 ? 2 : 1));
        for (int ranks = 2; ranks <= 5; ++ranks) {
          std::vector<UnitScore> joined;
          for (const UnitShare& share : shareUnits(units, ranks)) {
            if (share.count == 0) continue;
            const Mat<float> mine = values.middleRows(share.first, share.count);  // as readUnits gives them
            const std::vector<UnitScore> part = scoreUnits(mine, *label, metric, threads);
            joined.insert(joined.end(), part.begin(), part.end());
          }
          ASSERT_EQ(joined.size(), whole.size());
          for (int u = 0; u < units; ++u)
            expectSameBits(joined[u], whole[u],
                           std::string(rankingMetricName(metric)) + " on " + label->source + ", " +
                               std::to_string(units) + " units, " + std::to_string(ranks) + " ranks, " +
                               std::to_string(threads) + " threads, unit " + std::to_string(u));
        }
      }
  }
}

TEST(SharedWork, TheRankingOfScoresIsRankUnitssRanking) {
  Mat<float> a(5, 6), b(4, 6);
  a << 1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2, 4, 3, 5, 0, 0, 1, 0, 0, 1;
  b << 2, 1, 4, 3, 6, 5, 1, 2, 3, 4, 5, 6, 3, 3, 3, 3, 3, 4, 9, 1, 8, 2, 7, 3;
  const ProbeLabel label = makeProbeLabel("steps", {1, 2, 3, 4, 5, 6}, {});
  const std::vector<QuantityRef> which{{0, 0, Quantity::C}, {1, 0, Quantity::H}};
  const UnitRanking ranked = rankUnits(
      which, [&](const QuantityRef& q) { return q.layer == 0 ? a : b; }, label, RankingMetric::Spearman, 1);
  const UnitRanking fromScores =
      rankScores(which, {scoreUnits(a, label, RankingMetric::Spearman), scoreUnits(b, label, RankingMetric::Spearman)});
  EXPECT_EQ(ranked.unscored, 1);  // a's constant unit 2
  EXPECT_EQ(fromScores.unscored, 1);
  ASSERT_EQ(ranked.ranked.size(), 8u);
  ASSERT_EQ(fromScores.ranked.size(), 8u);
  // |r| = 1 for a's units 0 and 1 and b's unit 1, in the order read (a stable sort), then the rest.
  const auto at = [&](size_t k) { return std::pair(ranked.ranked[k].where.layer, ranked.ranked[k].unit); };
  EXPECT_EQ(at(0), std::pair(0, 0));
  EXPECT_EQ(at(1), std::pair(0, 1));
  EXPECT_EQ(at(2), std::pair(1, 1));
  for (size_t k = 0; k < ranked.ranked.size(); ++k) {
    EXPECT_EQ(ranked.ranked[k].unit, fromScores.ranked[k].unit);
    EXPECT_EQ(ranked.ranked[k].where.layer, fromScores.ranked[k].where.layer);
    expectSameBits(ranked.ranked[k].score, fromScores.ranked[k].score, "rank " + std::to_string(k));
  }
}

}  // namespace
}  // namespace lstmscope
