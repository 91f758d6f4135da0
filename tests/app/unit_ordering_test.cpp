// Unit sorting and the unit filter, against hand-computed cases.
#include "app/gui/unit_ordering.h"

#include <gtest/gtest.h>

namespace lstmscope::app {
namespace {

TEST(UnitRanges, ParsesListsAndOpenRanges) {
  std::vector<int> units;
  QString error;
  ASSERT_TRUE(parseUnitRanges(QStringLiteral("0-3, 7, 10-"), 12, units, error));
  EXPECT_EQ(units, (std::vector<int>{0, 1, 2, 3, 7, 10, 11}));
  ASSERT_TRUE(parseUnitRanges(QStringLiteral("  "), 3, units, error));
  EXPECT_EQ(units, (std::vector<int>{0, 1, 2}));
  ASSERT_TRUE(parseUnitRanges(QStringLiteral("5, 2-100"), 4, units, error));  // clipped to the layer
  EXPECT_EQ(units, (std::vector<int>{2, 3}));
  EXPECT_FALSE(parseUnitRanges(QStringLiteral("3, x"), 12, units, error));
  EXPECT_TRUE(error.contains(QStringLiteral("x")));
  EXPECT_FALSE(parseUnitRanges(QStringLiteral("50-60"), 12, units, error));
  EXPECT_TRUE(error.contains(QStringLiteral("12")));
}

TEST(UnitOrder, SortsByMeanVarianceAndMatchScore) {
  Mat<float> v(3, 4);
  v << 1, 1, 1, 1,   // mean 1, variance 0
      0, 4, 0, 4,    // mean 2, variance 4
      -1, 1, -1, 1;  // mean 0, variance 1
  const UnitMoments m = unitMoments(v);
  EXPECT_EQ(m.mean, Vec<double>((Vec<double>(3) << 1, 2, 0).finished()));
  EXPECT_EQ(m.variance, Vec<double>((Vec<double>(3) << 0, 4, 1).finished()));
  ViewState s;
  const std::vector<int> all{0, 1, 2};
  s.order = UnitOrder::Index;
  EXPECT_EQ(orderUnits(m, s, all), all);
  s.order = UnitOrder::Mean;
  EXPECT_EQ(orderUnits(m, s, all), (std::vector<int>{1, 0, 2}));
  s.order = UnitOrder::Variance;
  EXPECT_EQ(orderUnits(m, s, all), (std::vector<int>{1, 2, 0}));
  s.order = UnitOrder::MatchScore;
  s.selectedUnits = {2, 0};  // ranked by the rule
  EXPECT_EQ(orderUnits(m, s, all), (std::vector<int>{2, 0, 1}));
  s.selectedOnly = true;
  EXPECT_EQ(orderUnits(m, s, all), (std::vector<int>{2, 0}));
  EXPECT_EQ(orderUnits(m, s, {0, 1}), (std::vector<int>{0}));
}

}  // namespace
}  // namespace lstmscope::app
