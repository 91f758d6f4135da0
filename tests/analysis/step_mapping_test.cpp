// Steps of an edited input against the steps before it: unchanged tokens keep (or shift) their steps,
// edited ones map to nothing, spans over an edit are dropped.
#include "core/analysis/step_mapping.h"

#include <gtest/gtest.h>

#include <string>

namespace lstmscope {
namespace {

StepMapping mapText(const std::string& before, const std::string& after) {
  return mapSteps(static_cast<long>(before.size()), static_cast<long>(after.size()),
                  [&](long a, long b) { return before[static_cast<size_t>(a)] == after[static_cast<size_t>(b)]; });
}

TEST(StepMapping, InsertionShiftsWhatFollows) {
  const StepMapping m = mapText("def f(x):", "def g_f(x):");  // "g_" typed before "f"
  EXPECT_EQ(m.prefix, 4);
  EXPECT_EQ(m.suffix, 5);
  EXPECT_EQ(m.editedEnd(), 6);
  EXPECT_EQ(m.map(0), 0);
  EXPECT_EQ(m.map(3), 3);
  EXPECT_EQ(m.map(4), 6);  // "f" moved two steps on
  EXPECT_EQ(m.map(8), 10);
  EXPECT_EQ(m.map(9), -1);            // past the end
  const auto span = m.mapSpan(5, 8);  // "(x)"
  EXPECT_EQ(span.first, 7);
  EXPECT_EQ(span.end, 10);
}

TEST(StepMapping, DeletionDropsTheDeletedStepsAndSpansOverThem) {
  const StepMapping m = mapText("return (a, b)", "return (a)");  // ", b" deleted
  EXPECT_EQ(m.prefix, 9);
  EXPECT_EQ(m.suffix, 1);
  EXPECT_EQ(m.map(9), -1);
  EXPECT_EQ(m.map(11), -1);
  EXPECT_EQ(m.map(12), 9);                // ")"
  EXPECT_EQ(m.mapSpan(7, 13).first, -1);  // "(a, b)" no longer exists as it was
  EXPECT_EQ(m.mapSpan(0, 6).end, 6);      // "return" does
}

TEST(StepMapping, IdenticalAndUnrelatedInputs) {
  const StepMapping same = mapText("abc", "abc");
  EXPECT_EQ(same.prefix, 3);
  EXPECT_EQ(same.suffix, 0);
  for (long t = 0; t < 3; ++t) EXPECT_EQ(same.map(t), t);
  const StepMapping other = mapText("abc", "xyz!");
  EXPECT_EQ(other.prefix, 0);
  EXPECT_EQ(other.suffix, 0);
  EXPECT_EQ(other.map(1), -1);
  EXPECT_EQ(other.editedEnd(), 4);
}

TEST(StepMapping, RepeatedTokensPlaceTheEditLate) {
  // "aa" -> "aaa": the prefix takes both old steps, the new step is the last.
  const StepMapping m = mapText("aa", "aaa");
  EXPECT_EQ(m.prefix, 2);
  EXPECT_EQ(m.suffix, 0);
  EXPECT_EQ(m.map(1), 1);
  EXPECT_EQ(m.editedEnd(), 3);
}

}  // namespace
}  // namespace lstmscope
