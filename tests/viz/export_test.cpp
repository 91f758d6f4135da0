// Figure export: every format writes a valid file of the requested size; bad requests fail with a
// message that names the file, and never leave a partial file behind.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <numeric>

#include "viz/figure_export.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_view.h"
#include "viz/token_text.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::viz {
namespace {

class ExportTest : public testing::Test {
 protected:
  void SetUp() override {
    values_ = std::make_shared<Mat<float>>(Mat<float>::Random(8, 50));
    view_.resize(600, 400);
    QStringList tokens;
    for (int s = 0; s < 50; ++s) tokens << QString(QChar('a' + s % 26));
    view_.setData(std::make_shared<HeatmapData>(values_, values_.get()), tokens);
    std::vector<int> rows(8);
    std::iota(rows.begin(), rows.end(), 0);
    view_.setRowUnits(rows);
    view_.setScale(ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1));
    view_.setTitle(QStringLiteral("test figure"), QStringLiteral("h"));
  }
  QString path(const QString& name) const { return dir_.filePath(name); }

  QTemporaryDir dir_;
  std::shared_ptr<Mat<float>> values_;
  HeatmapView view_;
};

TEST_F(ExportTest, PngHasTheRequestedPixelsAndResolution) {
  FigureExportOptions o;
  o.size = QSize(800, 600);
  o.dpi = 192;
  ASSERT_EQ(exportView(view_, path(QStringLiteral("f.png")), o), QString());
  const QImage image(path(QStringLiteral("f.png")));
  EXPECT_EQ(image.size(), QSize(800, 600));  // the pixels asked, whatever the resolution
  EXPECT_NEAR(image.dotsPerMeterX() * 0.0254, 192, 1);
  // The figure is drawn, not blank: the plot area holds many colours.
  QSet<QRgb> colours;
  for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, image.height() / 2));
  EXPECT_GT(colours.size(), 10);
}

// A smaller model's data arriving before its caller orders the rows (the app opening a 16-unit model
// after the 256-unit demo): the old rows would be read out of bounds (an Eigen assertion under ASan).
TEST_F(ExportTest, DataWithFewerUnitsThanTheRowsShowsItsOwnUnits) {
  const auto fewer = std::make_shared<Mat<float>>(Mat<float>::Constant(3, 50, 0.9f));
  QStringList tokens;
  for (int s = 0; s < 50; ++s) tokens << QStringLiteral("x");
  view_.setData(std::make_shared<HeatmapData>(fewer, fewer.get()), tokens);
  EXPECT_EQ(view_.rowUnits(), (std::vector<int>{0, 1, 2}));
  FigureExportOptions o;
  o.size = QSize(400, 300);
  ASSERT_EQ(exportView(view_, path(QStringLiteral("fewer.png")), o), QString());
  EXPECT_FALSE(QImage(path(QStringLiteral("fewer.png"))).isNull());
}

// The same for the trajectories: the lines of units the new data lacks are dropped, not read out of
// bounds (an Eigen assertion under ASan once the app opened on the demo's unit 149 and then a 16-unit model).
TEST(TrajectoryChart, DataWithFewerUnitsDropsTheLinesItLacks) {
  const auto many = std::make_shared<Mat<float>>(Mat<float>::Random(20, 30));
  const auto fewer = std::make_shared<Mat<float>>(Mat<float>::Random(5, 30));
  TrajectoryChart chart;
  chart.setData(std::make_shared<HeatmapData>(many, many.get()), {}, QStringLiteral("h"), QStringLiteral("h"));
  chart.setUnits({2, 13}, 17);
  EXPECT_EQ(chart.lineCount(), 3);
  chart.setData(std::make_shared<HeatmapData>(fewer, fewer.get()), {}, QStringLiteral("h"), QStringLiteral("h"));
  EXPECT_EQ(chart.lineCount(), 1);  // unit 2
  chart.setUnits({4}, 0);
  EXPECT_EQ(chart.lineCount(), 2);
}

TEST_F(ExportTest, SvgAndPdfAreValidDocuments) {
  ASSERT_EQ(exportView(view_, path(QStringLiteral("f.svg"))), QString());
  QSvgRenderer svg(path(QStringLiteral("f.svg")));
  EXPECT_TRUE(svg.isValid());
  EXPECT_EQ(svg.viewBox().size(), figureLogicalSize(FigureExportOptions{}));
  ASSERT_EQ(exportView(view_, path(QStringLiteral("f.pdf"))), QString());
  QFile pdf(path(QStringLiteral("f.pdf")));
  ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
  const QByteArray bytes = pdf.readAll();
  EXPECT_TRUE(bytes.startsWith("%PDF"));
  EXPECT_TRUE(bytes.contains("/MediaBox"));
}

TEST_F(ExportTest, CsvHoldsTheVisibleNumbers) {
  ASSERT_EQ(exportView(view_, path(QStringLiteral("f.csv"))), QString());
  QFile csv(path(QStringLiteral("f.csv")));
  ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), 1 + 50);  // header + every step (the whole text is in view)
  EXPECT_TRUE(lines[0].startsWith(QStringLiteral("step,token,unit_0,unit_1")));
  const QStringList row7 = lines[8].split(QLatin1Char(','));
  EXPECT_EQ(row7[0], QStringLiteral("7"));
  EXPECT_EQ(row7[1], QStringLiteral("\"h\""));
  EXPECT_FLOAT_EQ(row7[2 + 3].toFloat(), (*values_)(3, 7));
}

TEST_F(ExportTest, BadRequestsFailWithoutLeavingFiles) {
  const QString unknown = exportView(view_, path(QStringLiteral("f.bmpx")));
  EXPECT_TRUE(unknown.contains(QStringLiteral("f.bmpx")) && unknown.contains(QStringLiteral("unknown export format")))
      << unknown.toStdString();
  FigureExportOptions tiny;
  tiny.size = QSize(4, 4);
  EXPECT_FALSE(exportView(view_, path(QStringLiteral("t.png")), tiny).isEmpty());
  const QString missing = exportView(view_, path(QStringLiteral("no/such/dir/f.png")));
  EXPECT_TRUE(missing.contains(QStringLiteral("cannot write"))) << missing.toStdString();
  EXPECT_EQ(QDir(dir_.path()).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList());
}

}  // namespace
}  // namespace lstmscope::viz
