// How the ranks of an MPI run share work (docs/SCALING.md), checked without MPI: the documents' shares, and
// match answers found share by share and merged, which must be the answer of one scan of every step.
#include <gtest/gtest.h>

#include <random>

#include "core/parallel/parallel_match.h"
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
      if (r > 0) EXPECT_EQ(shares[r].first, shares[r - 1].end);
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

}  // namespace
}  // namespace lstmscope
