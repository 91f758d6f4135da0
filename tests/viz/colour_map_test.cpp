// Colour maps and scales against hand-computed entries.
#include "viz/colour_map.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "viz/heatmap_figure.h"
#include "viz/token_text.h"

namespace lstmscope::viz {
namespace {

TEST(ColourMap, EndsAreTheAnchorColours) {
  const ColourMap viridis = ColourMap::named(QStringLiteral("viridis"));
  EXPECT_EQ(viridis.entry(0), qRgb(0x44, 0x01, 0x54));
  EXPECT_EQ(viridis.entry(255), qRgb(0xfd, 0xe7, 0x25));
  EXPECT_EQ(viridis.kind(), ColourMap::Kind::Sequential);
  const ColourMap blueRed = ColourMap::named(QStringLiteral("blue-red"));
  EXPECT_EQ(blueRed.kind(), ColourMap::Kind::Diverging);
  EXPECT_EQ(blueRed.entry(0), qRgb(0x05, 0x30, 0x61));
  EXPECT_EQ(blueRed.entry(255), qRgb(0x67, 0x00, 0x1f));
  // The neutral anchor (f7f7f7) sits at 127.5: both middle entries are within interpolation distance.
  for (int i : {127, 128}) {
    EXPECT_NEAR(qRed(blueRed.entry(i)), 0xf7, 4);
    EXPECT_NEAR(qGreen(blueRed.entry(i)), 0xf7, 4);
    EXPECT_NEAR(qBlue(blueRed.entry(i)), 0xf7, 4);
  }
  // Entry 1 of a two-anchor map is 1/255 of the way.
  const ColourMap greys = ColourMap::named(QStringLiteral("greys"));
  EXPECT_EQ(greys.entry(1), qRgb(254, 254, 254));
  EXPECT_EQ(ColourMap::named(QStringLiteral("no such map")).name(), QStringLiteral("viridis"));
}

TEST(ColourScale, MapsValuesToEqualBins) {
  const ColourScale s(ColourMap::named(QStringLiteral("viridis")), 0, 1);
  EXPECT_EQ(s.indexOf(0.0f), 0);
  EXPECT_EQ(s.indexOf(0.25f), 64);
  EXPECT_EQ(s.indexOf(0.5f), 128);
  EXPECT_EQ(s.indexOf(1.0f), 255);
  EXPECT_EQ(s.indexOf(-3.0f), 0);
  EXPECT_EQ(s.indexOf(9.0f), 255);
  EXPECT_EQ(s.indexOf(-std::numeric_limits<float>::infinity()), 0);
  EXPECT_EQ(s.indexOf(std::numeric_limits<float>::infinity()), 255);
  EXPECT_EQ(s.indexOf(std::nanf("")), -1);
  EXPECT_EQ(s.colourOf(std::nanf("")), ColourScale::nanColour);
  EXPECT_EQ(s.colourOf(0.25f), s.map().entry(64));
}

TEST(ColourScale, DivergingRangeIsSymmetricAboutZero) {
  const ColourScale s(ColourMap::named(QStringLiteral("blue-red")), -2, 1);
  EXPECT_DOUBLE_EQ(s.low(), -2);
  EXPECT_DOUBLE_EQ(s.high(), 2);
  EXPECT_EQ(s.indexOf(0.0f), 128);
  EXPECT_EQ(s.indexOf(-2.0f), 0);
  EXPECT_EQ(s.indexOf(-1.0f), 64);
  EXPECT_EQ(s.indexOf(2.0f), 255);
  const ColourScale flat(ColourMap::named(QStringLiteral("viridis")), 3, 3);
  EXPECT_DOUBLE_EQ(flat.high(), 4);  // widened so that it stays defined
}

TEST(ColourScale, AutomaticRanges) {
  // Non-finite values are ignored; none at all gives [-1, 1].
  const float v[] = {0.5f, std::nanf(""), -2.0f, std::numeric_limits<float>::infinity(), 3.0f};
  EXPECT_EQ(robustSymmetricRange(v, 5, 1.0), (std::pair<double, double>{-3.0, 3.0}));
  const float none[] = {std::nanf("")};
  EXPECT_EQ(robustSymmetricRange(none, 1), (std::pair<double, double>{-1.0, 1.0}));
  // Median of |v| over {1, 2, 3, 4, 100}: 3, so an outlier does not set the range.
  const float outlier[] = {1, -2, 3, 4, -100};
  EXPECT_EQ(robustSymmetricRange(outlier, 5, 0.5), (std::pair<double, double>{-3.0, 3.0}));
  EXPECT_EQ(robustSymmetricRange(outlier, 5, 1.0), (std::pair<double, double>{-100.0, 100.0}));
  const float zeros[] = {0, 0};
  EXPECT_EQ(robustSymmetricRange(zeros, 2), (std::pair<double, double>{-1.0, 1.0}));
}

TEST(ColourMap, TextReadsOnEveryBackground) {
  EXPECT_EQ(textColourOn(qRgb(255, 255, 255)), QColor(Qt::black));
  EXPECT_EQ(textColourOn(qRgb(0x05, 0x30, 0x61)), QColor(Qt::white));
}

TEST(TokenText, WhitespaceIsMadeVisible) {
  EXPECT_EQ(displayToken(" "), QString(QChar(0x2423)));
  EXPECT_EQ(displayToken("\n"), QString(QChar(0x21B5)));
  EXPECT_EQ(displayToken("\t"), QString(QChar(0x21E5)));
  EXPECT_EQ(displayToken("a b"), QStringLiteral("a") + QChar(0x2423) + QStringLiteral("b"));
  EXPECT_EQ(displayToken("é"), QString::fromUtf8("é"));
}

TEST(TokenText, NiceTickSteps) {
  EXPECT_DOUBLE_EQ(niceTickStep(2, 60), 50);   // 30 steps at least -> 50
  EXPECT_DOUBLE_EQ(niceTickStep(100, 60), 1);  // every step has room
  EXPECT_DOUBLE_EQ(niceTickStep(0.5, 60), 200);
  EXPECT_DOUBLE_EQ(niceTickStep(6, 60), 10);
  EXPECT_DOUBLE_EQ(niceTickStep(4, 60), 20);
}

TEST(MarkColour, ColourDifferenceIsCie94) {
  EXPECT_DOUBLE_EQ(colourDifference(qRgb(10, 20, 30), qRgb(10, 20, 30)), 0);
  EXPECT_NEAR(colourDifference(qRgb(0, 0, 0), qRgb(255, 255, 255)), 100, 0.1);  // lightness 0 -> 100
  EXPECT_LT(colourDifference(qRgb(200, 0, 0), qRgb(210, 0, 0)), 3);             // barely noticeable
}

TEST(MarkColour, StandsOutFromEveryColourOfEveryMap) {
  for (const QString& name : ColourMap::sequentialNames() + ColourMap::divergingNames()) {
    const ColourMap map = ColourMap::named(name);
    const QRgb mark = markColourFor(map).rgb();
    for (int i = 0; i < ColourMap::kSize; ++i)
      EXPECT_GT(colourDifference(mark, map.entry(i)), 25) << name.toStdString() << " entry " << i;
    EXPECT_GT(colourDifference(mark, ColourScale::nanColour), 25) << name.toStdString();
  }
  // The old red outline vanished into the red end of blue-red.
  EXPECT_NE(markColourFor(ColourMap::named(QStringLiteral("blue-red"))).rgb(), qRgb(220, 0, 0));
}

}  // namespace
}  // namespace lstmscope::viz
