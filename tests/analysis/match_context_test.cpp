// The rows of the match view: the context around a run stays inside its document, a long run is shown by
// its ends, and each shown step counts the selected units that are on there by the query's rule.
#include <gtest/gtest.h>

#include <cmath>

#include "core/analysis/match.h"

namespace lstmscope {
namespace {

// Unit u at step t is tanh-on (tanh(v) >= 0.3, v >= 0.3095…) exactly when (t + u) % 3 == 0.
Mat<float> valuesAt(long first, long count) {
  Mat<float> v(4, count);
  for (long k = 0; k < count; ++k)
    for (int u = 0; u < 4; ++u) v(u, k) = (first + k + u) % 3 == 0 ? 0.5f : 0.2f;
  return v;
}

TEST(MatchContext, ContextStopsAtTheDocumentsBordersAndCountsTheSelectedUnitsOn) {
  const StepWindowReader read = [](long first, long count) { return valuesAt(first, count); };
  MatchQuery q;
  q.units = {0, 1, 3};
  q.tanh = true;
  const std::vector<int64_t> offsets = {0, 10, 100};
  const Match m{12, 4, 1, 0, 0, {}};
  const MatchContext c = matchContext(read, offsets, m, q, 6, 12);
  EXPECT_EQ(c.first, 10);  // not before document 1's first step
  EXPECT_EQ(c.end, 22);
  EXPECT_EQ(c.gapFirst, c.gapEnd);
  ASSERT_EQ(c.steps.size(), 12u);
  for (size_t k = 0; k < c.steps.size(); ++k) {
    const long t = c.steps[k];
    const int expected = ((t + 0) % 3 == 0) + ((t + 1) % 3 == 0) + ((t + 3) % 3 == 0);
    EXPECT_EQ(c.onCount[k], expected) << t;
  }
  // The raw rule compares the values themselves (0.2 or 0.5): none reaches 0.6.
  q.tanh = false, q.threshold = 0.6;
  for (int on : matchContext(read, offsets, m, q, 6, 12).onCount) EXPECT_EQ(on, 0);
}

TEST(MatchContext, ALongRunIsShownByItsEndsWithoutReadingItsMiddle) {
  std::vector<std::pair<long, long>> reads;
  const StepWindowReader read = [&](long first, long count) {
    reads.push_back({first, count});
    return valuesAt(first, count);
  };
  MatchQuery q;
  q.units = {2};
  const Match m{1000, 500'000, 0, 1, 1, {2}};
  const MatchContext c = matchContext(read, {0, 1'000'000}, m, q, 6, 12);
  EXPECT_EQ(c.first, 994);
  EXPECT_EQ(c.end, 501'006);
  EXPECT_EQ(c.gapFirst, 1012);
  EXPECT_EQ(c.gapEnd, 500'988);
  ASSERT_EQ(c.steps.size(), 6u + 12 + 12 + 6);
  EXPECT_EQ(c.steps[17], 1011);
  EXPECT_EQ(c.steps[18], 500'988);
  ASSERT_EQ(reads.size(), 2u);  // two short reads, not half a million steps
  EXPECT_EQ(reads[0], (std::pair<long, long>{994, 18}));
  EXPECT_EQ(reads[1], (std::pair<long, long>{500'988, 18}));
  EXPECT_THROW(matchContext(read, {0, 10}, Match{0, 2, 3, 0, 0, {}}, q, 6, 12), std::invalid_argument);
}

}  // namespace
}  // namespace lstmscope
