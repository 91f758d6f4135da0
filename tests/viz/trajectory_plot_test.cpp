// The trajectories' parts apart from input: the envelope option, the line under the pointer (a spike in
// a wide column, selected lines over faint ones), decimated lines that keep spikes and break at NaN, the
// y axis fitted or fixed, the opacity option, and vector figures (every line a vector in SVG).
#include "viz/trajectory_plot.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <limits>

#include "viz/figure_export.h"
#include "viz/figure_metrics.h"
#include "viz/heatmap_data.h"
#include "viz/line_spans.h"
#include "viz/trajectory_chart.h"
#include "viz/trajectory_pick.h"

namespace lstmscope::viz {
namespace {

struct Lines {
  std::shared_ptr<Mat<float>> values;
  std::shared_ptr<HeatmapData> data;
  explicit Lines(Mat<float> m)
      : values(std::make_shared<Mat<float>>(std::move(m))), data(std::make_shared<HeatmapData>(values, values.get())) {}
};

TrajectoryAxes axesFor(long steps, double width, double height) {
  TrajectoryAxes a;
  a.plot = QRectF(0, 0, width, height);
  a.firstStep = 0, a.lastStep = static_cast<double>(steps - 1);
  a.low = -1, a.high = 1;
  return a;
}

TEST(TrajectoryBundle, AnEnvelopeCoversFromTheLowestToTheHighestUnitOnce) {
  Mat<float> m(3, 20);
  m.row(0).setConstant(-0.5f), m.row(1).setConstant(0.f), m.row(2).setConstant(0.5f);
  const Lines l(std::move(m));
  TrajectoryBundleRequest r =
      bundleRequestFor(axesFor(20, 40, 40), QSize(40, 40), 3, TrajectoryBackground::Envelope, 0);
  EXPECT_TRUE(r.envelope);
  const std::vector<unsigned short> coverage = bundleCoverage(*l.data, r);
  for (int x = 0; x < 40; ++x)
    for (int y = 0; y < 40; ++y)  // rows 10 (value 0.5) to 30 (value -0.5), each once
      EXPECT_EQ(coverage[static_cast<size_t>(x) * 40 + y], y >= 10 && y <= 30 ? 1 : 0) << x << ", " << y;
  r = bundleRequestFor(axesFor(20, 40, 40), QSize(40, 40), 3, TrajectoryBackground::EveryUnit, 0);
  EXPECT_EQ(bundleCoverage(*l.data, r)[20 * 40 + 20], 1);  // value 0: unit 1's line
  EXPECT_EQ(bundleCoverage(*l.data, r)[20 * 40 + 15], 0);  // between lines
}

TEST(TrajectoryPick, ASpikeInsideAWideColumnIsFoundAndNamedAtItsStep) {
  Mat<float> m = Mat<float>::Zero(2, 1000);
  m(0, 501) = 0.9f;  // unit 0: one step up among 10 per pixel
  m.row(1).setConstant(0.5f);
  const Lines l(std::move(m));
  const TrajectoryAxes axes = axesFor(1000, 100, 200);
  const LineUnderPointer hit = lineUnderPointer(*l.data, axes, QPointF(axes.xOf(501), axes.yOf(0.88)), 8);
  EXPECT_EQ(hit.unit, 0);
  EXPECT_EQ(hit.step, 501);
  EXPECT_EQ(hit.value, 0.9f);
  EXPECT_EQ(lineUnderPointer(*l.data, axes, QPointF(axes.xOf(300), axes.yOf(0.88)), 8).unit, -1);
  EXPECT_EQ(lineUnderPointer(*l.data, axes, QPointF(axes.xOf(300), axes.yOf(0.51)), 8).unit, 1);
  EXPECT_EQ(lineUnderPointer(*l.data, axes, QPointF(-30, 50), 8).unit, -1);  // outside the plot
}

TEST(TrajectoryPick, ASelectedLineWinsOverAFaintLineAPixelNearer) {
  Mat<float> m(2, 10);
  m.row(0).setConstant(0.f), m.row(1).setConstant(0.01f);  // one pixel apart in 200 px
  const Lines l(std::move(m));
  const TrajectoryAxes axes = axesFor(10, 100, 200);
  const QPointF onFaint(axes.xOf(4), axes.yOf(0.01));
  EXPECT_EQ(lineUnderPointer(*l.data, axes, onFaint, 8).unit, 1);
  EXPECT_EQ(lineUnderPointer(*l.data, axes, onFaint, 8, {0}).unit, 0);
}

TEST(TrajectoryLines, DecimatedLinesKeepSpikesAndBreakAtNaN) {
  Mat<float> m = Mat<float>::Zero(1, 1000);
  m(0, 333) = 0.7f;
  m(0, 600) = std::numeric_limits<float>::quiet_NaN();
  const Lines l(std::move(m));
  const TrajectoryAxes axes = axesFor(1000, 100, 100);
  const std::vector<QPolygonF> parts = unitLine(*l.data, 0, axes, 1.0);
  ASSERT_EQ(parts.size(), 2u);
  int points = 0;
  double top = axes.plot.bottom();
  for (const QPolygonF& part : parts) {
    points += static_cast<int>(part.size());
    for (const QPointF& p : part) top = std::min(top, p.y());
  }
  EXPECT_LE(points, 4 * 101 + 8) << points;  // at most four points per pixel column
  EXPECT_NEAR(top, axes.yOf(0.7f), 1e-9);
  EXPECT_EQ(unitLine(*l.data, 0, axesFor(1000, 2000, 100), 1.0).size(), 2u);  // every step a vertex
}

class TrajectoryOptionsTest : public testing::Test {
 protected:
  void SetUp() override {
    Mat<float> m(30, 40);
    for (int u = 0; u < 30; ++u) m.row(u).setConstant(0.4f + 0.2f * u / 29);  // 0.4 .. 0.6
    lines_ = std::make_unique<Lines>(std::move(m));
    chart_.resize(700, 350);
    chart_.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart_));
    chart_.setData(lines_->data, {}, QStringLiteral("gate"), QStringLiteral("i"));
    chart_.setWindow(0, 40);
    chart_.setThreshold(0.5);
    chart_.setQuantityRange(0, 1);
  }
  int greyAt(double step, double value) {
    [&] { QTRY_VERIFY_WITH_TIMEOUT(chart_.bundleShown(), 10000); }();
    if (!chart_.bundleShown()) return -1;
    const QImage shot = chart_.grab().toImage();
    const QPoint at = (QPointF(chart_.axes().xOf(step), chart_.axes().yOf(value)) * shot.devicePixelRatio()).toPoint();
    // The darkest of the pixels just above and below (a one-pixel line may fall a row beside the spot).
    int darkest = 255;
    for (int dy = -1; dy <= 1; ++dy) darkest = std::min(darkest, qGray(shot.pixel(at + QPoint(0, dy))));
    return darkest;
  }
  std::unique_ptr<Lines> lines_;
  TrajectoryChart chart_;
};

TEST_F(TrajectoryOptionsTest, TheYAxisFitsTheWindowOrShowsTheQuantitysRange) {
  EXPECT_TRUE(chart_.fitsToWindow());
  EXPECT_GT(chart_.axes().low, 0.35);
  EXPECT_LT(chart_.axes().high, 0.65);
  chart_.setFitToWindow(false);
  EXPECT_NEAR(chart_.axes().low, 0, 0.03);
  EXPECT_NEAR(chart_.axes().high, 1, 0.03);
  chart_.setThreshold(1.5);  // the threshold stays in view
  EXPECT_GE(chart_.axes().high, 1.5);
}

TEST_F(TrajectoryOptionsTest, OpacityAndTheEnvelopeChangeWhatIsDrawnBeneath) {
  EXPECT_NEAR(chart_.effectiveOpacity(), 1 / std::sqrt(30.0), 1e-12);
  const double between = 0.4 + 0.2 * 14.5 / 29;  // between units 14 and 15, two pixels apart or more
  const int lineGrey = greyAt(20.3, 0.4);
  chart_.setOpacity(0.9);
  EXPECT_EQ(chart_.effectiveOpacity(), 0.9);
  EXPECT_LT(greyAt(20.3, 0.4), lineGrey - 50) << "a more opaque line is not darker";
  chart_.setOpacity(0);
  chart_.setBackground(TrajectoryBackground::Envelope);
  EXPECT_LT(greyAt(20.3, between), 230) << "the envelope does not fill between the lines";
  EXPECT_GT(greyAt(20.3, 0.62), 250);                   // above the highest unit
  chart_.setBackground(TrajectoryBackground::Nothing);  // no lines: the y axis falls back to the range 0..1
  EXPECT_GT(greyAt(20.3, 0.4 + 0.2 * 3 / 29.0), 250) << "unit 3's line is still drawn";
}

TEST_F(TrajectoryOptionsTest, WithNothingToFitTheAxisShowsTheQuantitysRangeAsItChanges) {
  chart_.setBackground(TrajectoryBackground::Nothing);  // and no unit selected
  chart_.setQuantityRange(-5, 5);                       // a gate's view switched to c
  EXPECT_NEAR(chart_.axes().low, -5, 0.3);
  EXPECT_NEAR(chart_.axes().high, 5, 0.3);
}

// A new recording (another quantity, an edited text) redraws the hovered line and drops the old picture.
TEST_F(TrajectoryOptionsTest, NewDataRedrawsTheHighlightedLineAndDropsTheOldPicture) {
  chart_.setFitToWindow(false);  // the axes stay the same across the change
  chart_.setHighlightedUnit(0);
  QTRY_VERIFY_WITH_TIMEOUT(chart_.bundleShown(), 10000);
  const auto greyAtValue = [&](double value) {
    const QImage shot = chart_.grab().toImage();
    const QPoint at = QPointF(chart_.axes().xOf(20.3), chart_.axes().yOf(value)).toPoint();
    int darkest = 255;
    for (int dy = -1; dy <= 1; ++dy) darkest = std::min(darkest, qGray(shot.pixel(at + QPoint(0, dy))));
    return darkest;
  };
  EXPECT_LT(greyAtValue(0.4), 150);
  const Lines moved(Mat<float>::Constant(30, 40, 0.8f));
  chart_.setData(moved.data, {}, QStringLiteral("gate"), QStringLiteral("f"));
  EXPECT_LT(greyAtValue(0.8), 150) << "the highlighted line is not drawn from the new data";
  EXPECT_GT(greyAtValue(0.4), 200) << "the old line is still drawn";
  // Data without steps while a render of the old data runs: its picture never appears.
  const Lines big(Mat<float>::Random(1024, 4000));
  chart_.setData(big.data, {}, QStringLiteral("h"), QStringLiteral("h"));
  chart_.setWindow(0, 4000);
  const Lines empty{Mat<float>(30, 0)};
  chart_.setData(empty.data, {}, QStringLiteral("h"), QStringLiteral("h"));
  QTRY_VERIFY_WITH_TIMEOUT(!chart_.rendering(), 10000);
  QCoreApplication::processEvents();
  const QImage shot = chart_.grab().toImage();
  int marked = 0;
  const QRect plot = chart_.axes().plot.toRect().adjusted(2, 2, -2, -2);
  for (int y = plot.top(); y < plot.bottom(); y += 3)
    for (int x = plot.left(); x < plot.right(); x += 3) marked += qGray(shot.pixel(x, y)) < 200;
  EXPECT_EQ(marked, 0) << "a picture of the old data is drawn";
}

TEST_F(TrajectoryOptionsTest, SvgAndPdfFiguresDrawEveryLineAsAVector) {
  chart_.setUnits({3}, 3);
  QTemporaryDir dir;
  FigureExportOptions o;
  o.size = QSizeF(600, 300), o.dpi = 96;
  ASSERT_EQ(exportView(chart_, dir.filePath(QStringLiteral("t.svg")), o), QString());
  QFile file(dir.filePath(QStringLiteral("t.svg")));
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  const QString svg = QString::fromUtf8(file.readAll());
  EXPECT_FALSE(svg.contains(QStringLiteral("<image"))) << "the bundle is a picture";
  const auto polylines = svg.count(QRegularExpression(QStringLiteral("<polyline")));
  chart_.setBackground(TrajectoryBackground::Envelope);
  ASSERT_EQ(exportView(chart_, dir.filePath(QStringLiteral("e.svg")), o), QString());
  QFile envelope(dir.filePath(QStringLiteral("e.svg")));
  ASSERT_TRUE(envelope.open(QIODevice::ReadOnly));
  const QString e = QString::fromUtf8(envelope.readAll());
  EXPECT_FALSE(e.contains(QStringLiteral("<image")));
  // The 30 faint lines are one polygon now (the grid, ticks and the selected line are polylines in both).
  EXPECT_EQ(polylines - e.count(QRegularExpression(QStringLiteral("<polyline"))), 30);
  ASSERT_EQ(exportView(chart_, dir.filePath(QStringLiteral("t.pdf")), o), QString());
  QFile pdf(dir.filePath(QStringLiteral("t.pdf")));
  ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
  const QByteArray bytes = pdf.readAll();
  EXPECT_TRUE(bytes.startsWith("%PDF"));
  EXPECT_EQ(bytes.count("/Subtype /Image"), 0) << "the PDF holds a picture";
  ASSERT_EQ(exportView(chart_, dir.filePath(QStringLiteral("t.png")), o), QString());
  EXPECT_EQ(QImage(dir.filePath(QStringLiteral("t.png"))).size(), QSize(600, 300));
}

}  // namespace
}  // namespace lstmscope::viz

namespace lstmscope::viz {
namespace {

// The selected lines' renderer draws a line as wide as asked at any slope: a flat stretch covers `width`
// pixels of a column, a steep jump `width` pixels of a row (summing the antialiased coverage).
TEST(TrajectoryLines, ALineIsAsWideAsAskedFlatOrSteep) {
  Mat<float> m(1, 21);
  for (int s = 0; s < 21; ++s) m(0, s) = s <= 10 ? -0.5f : 0.5f;  // a jump between steps 10 and 11
  for (const double width : {1.3, 3.0}) {
    QImage image(200, 200, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    // Step k's vertex at x = 10 k: the jump runs from (100, 150) up to (110, 50).
    drawLineSpans(image, m, 0, 0, 20, -1, 1, qRgb(0, 0, 255), width);
    double column = 0, row = 0;
    for (int y = 0; y < 200; ++y) column += qAlpha(image.pixel(50, y)) / 255.0;
    for (int x = 0; x < 200; ++x) row += qAlpha(image.pixel(x, 100)) / 255.0;
    EXPECT_NEAR(column, width, 0.05) << "flat, width " << width;
    EXPECT_NEAR(row, width * std::sqrt(1 + 0.01), 0.05) << "steep, width " << width;
    EXPECT_EQ(qAlpha(image.pixel(50, 100)), 0);  // nowhere else
  }
  // A value far off the axis (a fixed range, an outlier) still draws the line up to the edge.
  m(0, 15) = 1e12f;
  QImage image(200, 200, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  drawLineSpans(image, m, 0, 0, 20, -1, 1, qRgb(0, 0, 255), 2);
  EXPECT_GT(qAlpha(image.pixel(140, 20)), 0) << "the segment up to the outlier is lost";  // step 14, going up
}

}  // namespace
}  // namespace lstmscope::viz

namespace lstmscope::viz {
namespace {

// A hidden view (its dock tabbed behind another) renders nothing until it is shown.
TEST(TrajectoryChart, AHiddenViewRendersOnlyOnceShown) {
  const auto values = std::make_shared<Mat<float>>(Mat<float>::Random(64, 500));
  TrajectoryChart chart;
  chart.resize(600, 300);
  chart.setData(std::make_shared<HeatmapData>(values, values.get()), {}, QStringLiteral("h"), QStringLiteral("h"));
  chart.setWindow(0, 500);
  EXPECT_FALSE(chart.rendering());
  EXPECT_FALSE(chart.bundleShown());
  chart.show();
  QTRY_VERIFY_WITH_TIMEOUT(chart.bundleShown(), 10000);
}

}  // namespace
}  // namespace lstmscope::viz

namespace lstmscope::viz {
namespace {

// A journal column (89 mm, 336 logical units) puts the legend under the plot; a wide figure beside it.
TEST(TrajectoryLayout, ANarrowFigurePutsTheLegendUnderThePlot) {
  const QFontMetrics fm = figureFontMetrics(QFont());
  const TrajectoryLayout column = TrajectoryLayout::forSize(QSizeF(336, 220), fm, true, true);
  EXPECT_GE(column.legend.top(), column.xAxis.bottom());
  EXPECT_GT(column.plot.width(), 0.7 * 336);
  const TrajectoryLayout wide = TrajectoryLayout::forSize(QSizeF(1200, 400), fm, true, true);
  EXPECT_GT(wide.legend.left(), wide.plot.right());
  EXPECT_LE(wide.legend.bottom(), wide.plot.bottom());
  const TrajectoryLayout none = TrajectoryLayout::forSize(QSizeF(336, 220), fm, false, true);
  EXPECT_GT(none.plot.height(), column.plot.height());  // no legend row
}

}  // namespace
}  // namespace lstmscope::viz
