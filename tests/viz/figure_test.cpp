// Exported figures are figures for a paper, not screen captures: one physical size in every format (a
// PNG has exactly the pixels asked), fonts of at least 7 pt at that size, named axes, a colour bar
// wherever colour carries a value, no cursor marks unless asked, text figures as tall as their content,
// and CSV with the real characters.
#include <gtest/gtest.h>

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>
#include <numeric>

#include "viz/attribution_text_view.h"
#include "viz/colour_map.h"
#include "viz/figure_export.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_figure.h"
#include "viz/heatmap_view.h"
#include "viz/palette.h"
#include "viz/text_colour_view.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::viz {
namespace {

constexpr double kPointsPerMillimetre = 72.0 / 25.4;

QString readText(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Every font size an SVG uses, in points at the SVG's physical size.
std::vector<double> svgFontPoints(const QString& svg) {
  const QRegularExpressionMatch width = QRegularExpression(QStringLiteral(R"re(width="([\d.]+)mm")re")).match(svg);
  const QRegularExpressionMatch box = QRegularExpression(QStringLiteral(R"re(viewBox="0 0 ([\d.]+) )re")).match(svg);
  if (!width.hasMatch() || !box.hasMatch()) return {};
  const double pointsPerUnit = width.captured(1).toDouble() / box.captured(1).toDouble() * kPointsPerMillimetre;
  std::vector<double> sizes;
  auto it = QRegularExpression(QStringLiteral(R"re(font-size="([\d.]+)")re")).globalMatch(svg);
  while (it.hasNext()) sizes.push_back(it.next().captured(1).toDouble() * pointsPerUnit);
  return sizes;
}

// RFC 4180 fields of a CSV document (quoted fields may hold commas, quotes and line breaks).
std::vector<QStringList> parseCsv(const QString& text) {
  std::vector<QStringList> rows(1);
  QString field;
  bool quoted = false, fieldStarted = false;
  for (qsizetype i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (quoted) {
      if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"'))
        field += c, ++i;
      else if (c == QLatin1Char('"'))
        quoted = false;
      else
        field += c;
    } else if (c == QLatin1Char('"')) {
      quoted = fieldStarted = true;
    } else if (c == QLatin1Char(',')) {
      rows.back() << field, field.clear(), fieldStarted = false;
    } else if (c == QLatin1Char('\n')) {
      rows.back() << field, field.clear(), fieldStarted = false;
      rows.emplace_back();
    } else {
      field += c, fieldStarted = true;
    }
  }
  if (!field.isEmpty() || fieldStarted) rows.back() << field;
  if (rows.back().isEmpty()) rows.pop_back();
  return rows;
}

class FigureTest : public testing::Test {
 protected:
  void SetUp() override {
    values_ = std::make_shared<Mat<float>>(Mat<float>::Random(8, 40));
    // Letters, and the symbols for a space and a line break as the app shows them.
    for (int s = 0; s < 40; ++s)
      tokens_ << (s % 10 == 4   ? QStringLiteral("\u2423")
                  : s % 10 == 9 ? QStringLiteral("\u21B5")
                                : QString(QChar('a' + s % 26)));
    data_ = std::make_shared<HeatmapData>(values_, values_.get());
    heatmap_.resize(600, 400);
    heatmap_.setData(data_, tokens_);
    std::vector<int> rows(8);
    std::iota(rows.begin(), rows.end(), 0);
    heatmap_.setRowUnits(rows);
    heatmap_.setScale(scale_);
    heatmap_.setTitle(QStringLiteral("layer 0 · h"), QStringLiteral("h"));
    heatmap_.setCurrent(12, 3);
  }
  QString path(const QString& name) const { return dir_.filePath(name); }
  // Units 1 and 2 over steps [0, end), unit 1 current.
  void showTrajectories(TrajectoryChart& chart, long end) {
    chart.resize(600, 300);
    chart.setData(data_, tokens_, QStringLiteral("layer 0 · h"), QStringLiteral("value"));
    chart.setUnits({1, 2}, 1);
    chart.setWindow(0, end);
  }

  QTemporaryDir dir_;
  std::shared_ptr<Mat<float>> values_;
  std::shared_ptr<HeatmapData> data_;
  QStringList tokens_;
  ColourScale scale_{ColourMap::named(QStringLiteral("blue-red")), -1, 1};
  HeatmapView heatmap_;
};

// A title wider than its figure is drawn smaller (and cut with "…" if still too wide), never clipped at
// both ends as centred text is: the first and last columns of the title's area stay blank.
TEST(FigureTitle, ALongTitleFitsInsideItsArea) {
  const auto inkColumns = [](const QString& title, int pixelSize = 0) {
    QImage image(300, 30, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setPen(Qt::black);
    if (pixelSize > 0) {  // as exported figures set their fonts
      QFont font = p.font();
      font.setPixelSize(pixelSize);
      p.setFont(font);
    }
    paintTitle(p, image.rect(), title);
    p.end();
    std::vector<int> columns;
    for (int x = 0; x < image.width(); ++x)
      for (int y = 0; y < image.height(); ++y)
        if (qGray(image.pixel(x, y)) < 128) {
          columns.push_back(x);
          break;
        }
    return columns;
  };
  const std::vector<int> shortTitle = inkColumns(QStringLiteral("layer 1 · c"));
  ASSERT_FALSE(shortTitle.empty());
  EXPECT_NEAR((shortTitle.front() + shortTitle.back()) / 2.0, 150, 6);  // centred, at its own size
  for (const bool pixelFont : {false, true})
    for (const int repeats : {3, 12}) {
      const std::vector<int> ink =
          inkColumns(QStringLiteral("a rather long title ").repeated(repeats), pixelFont ? 13 : 0);
      ASSERT_FALSE(ink.empty()) << repeats;
      EXPECT_GE(ink.front(), 2) << repeats << " pixel font " << pixelFont;
      EXPECT_LE(ink.back(), 297) << repeats << " pixel font " << pixelFont;
    }
  // A little too wide: smaller, whole. Far too wide: at 70 %, cut. Fonts in points and in pixels alike.
  for (const bool pixelFont : {false, true}) {
    QFont font;
    pixelFont ? font.setPixelSize(20) : font.setPointSizeF(15);
    const QString title = QStringLiteral("Change in log p at step 100 when one unit is set to zero");
    const int natural = QFontMetrics(font).horizontalAdvance(title);
    const FittedText slightly = fitText(font, title, natural * 9 / 10);
    EXPECT_EQ(slightly.text, title) << pixelFont;
    EXPECT_LE(QFontMetrics(slightly.font).horizontalAdvance(slightly.text), natural * 9 / 10) << pixelFont;
    const FittedText far = fitText(font, title, natural / 2);
    EXPECT_TRUE(far.text.endsWith(QChar(0x2026))) << far.text.toStdString();
    EXPECT_NEAR(pixelFont ? far.font.pixelSize() / 20.0 : far.font.pointSizeF() / 15.0, 0.7, 0.05) << pixelFont;
    EXPECT_EQ(fitText(font, title, natural).font, font);
  }
}

TEST(FigureSize, PixelsAreExactAndPhysicalUnitsGoThroughTheResolution) {
  FigureExportOptions o;  // 1600 x 900 pixels at 300 dpi
  EXPECT_EQ(figurePixelSize(o), QSize(1600, 900));
  EXPECT_EQ(figureLogicalSize(o), QSize(512, 288));           // 5.33 x 3 inches at 96 logical units per inch
  o.unit = FigureUnit::Millimetres, o.size = QSizeF(89, 60);  // a journal's single column
  EXPECT_EQ(figurePixelSize(o), QSize(1051, 709));            // 89 / 25.4 x 300 = 1051.2
  EXPECT_EQ(figureLogicalSize(o), QSize(336, 227));
  o.unit = FigureUnit::Inches, o.size = QSizeF(3.5, 2), o.dpi = 600;
  EXPECT_EQ(figurePixelSize(o), QSize(2100, 1200));
}

TEST(FigureSize, TheCommandLineFormReadsUnitsAndAnAutomaticHeight) {
  FigureExportOptions o;
  ASSERT_TRUE(parseFigureSize(QStringLiteral("89x60mm"), o));
  EXPECT_EQ(o.unit, FigureUnit::Millimetres);
  EXPECT_EQ(o.size, QSizeF(89, 60));
  EXPECT_FALSE(o.fitHeight);
  ASSERT_TRUE(parseFigureSize(QStringLiteral("3.5inxauto"), o));
  EXPECT_EQ(o.unit, FigureUnit::Inches);
  EXPECT_TRUE(o.fitHeight);
  EXPECT_DOUBLE_EQ(o.size.width(), 3.5);
  ASSERT_TRUE(parseFigureSize(QStringLiteral("1600x900"), o));
  EXPECT_EQ(o.unit, FigureUnit::Pixels);
  for (const char* bad : {"", "1600", "x900", "1600x900cm", "-5x3mm", "1600 by 900", "89mmx60in"})
    EXPECT_FALSE(parseFigureSize(QString::fromLatin1(bad), o)) << bad;
}

TEST_F(FigureTest, EveryFormatHasTheSamePhysicalSizeAndThePngThePixelsAsked) {
  FigureExportOptions o;  // 1600 x 900 px at 300 dpi: 135.5 x 76.2 mm
  ASSERT_EQ(exportView(heatmap_, path(QStringLiteral("f.png")), o), QString());
  ASSERT_EQ(exportView(heatmap_, path(QStringLiteral("f.pdf")), o), QString());
  ASSERT_EQ(exportView(heatmap_, path(QStringLiteral("f.svg")), o), QString());
  const QImage png(path(QStringLiteral("f.png")));
  EXPECT_EQ(png.size(), QSize(1600, 900));
  EXPECT_NEAR(png.dotsPerMeterX() * 0.0254, 300, 1);
  QFile pdf(path(QStringLiteral("f.pdf")));
  ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
  // Points: 5.33 x 3 inches.
  EXPECT_TRUE(QString::fromLatin1(pdf.readAll())
                  .contains(QRegularExpression(QStringLiteral(R"(/MediaBox \[0 0 384(\.0+)? 216(\.0+)?\])"))));
  EXPECT_TRUE(readText(path(QStringLiteral("f.svg"))).contains(QStringLiteral("width=\"135.467mm\"")));
}

TEST_F(FigureTest, FontsAreAtLeastSevenPointsAtAColumnWidth) {
  TrajectoryChart trajectories;
  showTrajectories(trajectories, 40);
  TextColourView text;
  text.resize(600, 300);
  text.setData(data_, tokens_, QStringLiteral("layer 0 · h"));
  text.setScale(scale_);
  FigureExportOptions column;
  column.unit = FigureUnit::Millimetres, column.size = QSizeF(89, 60), column.fitHeight = true;
  for (ExportableView* view : std::initializer_list<ExportableView*>{&heatmap_, &trajectories, &text}) {
    const QString file = path(QStringLiteral("column.svg"));
    ASSERT_EQ(exportView(*view, file, column), QString());
    const std::vector<double> points = svgFontPoints(readText(file));
    ASSERT_FALSE(points.empty()) << view->figureTitle().toStdString();
    EXPECT_GE(*std::min_element(points.begin(), points.end()), 7.0) << view->figureTitle().toStdString();
    EXPECT_LE(*std::max_element(points.begin(), points.end()), 14.0) << view->figureTitle().toStdString();
  }
}

TEST_F(FigureTest, TheHeatmapNamesItsAxesAndLeavesTheCursorOutUnlessAsked) {
  const QColor mark = markColourFor(scale_.map());
  const auto markPixels = [&](FigureMarks marks) {
    FigureExportOptions o;
    o.size = QSizeF(800, 500), o.dpi = 96, o.marks = marks;
    EXPECT_EQ(exportView(heatmap_, path(QStringLiteral("m.png")), o), QString());
    const QImage image(path(QStringLiteral("m.png")));
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) count += colourDifference(image.pixel(x, y), mark.rgb()) < 3;
    return count;
  };
  EXPECT_EQ(markPixels(FigureMarks::Omitted), 0);
  EXPECT_GT(markPixels(FigureMarks::Drawn), 100);  // the current step's column and the current unit's row
  ASSERT_EQ(exportView(heatmap_, path(QStringLiteral("axes.svg"))), QString());
  const QString svg = readText(path(QStringLiteral("axes.svg")));
  EXPECT_TRUE(svg.contains(QStringLiteral(">step</text>"))) << "no step axis title";
  EXPECT_TRUE(svg.contains(QStringLiteral(">unit</text>"))) << "no unit axis title";
}

// The colour bar's title sat on the top tick's label ("tanh(c)" over "1"): in the columns right of the
// bar, the title's ink and the top label's ink must be separated by blank rows.
TEST(ColourBar, TheTitleStandsClearOfTheTopTick) {
  QImage image(160, 300, QImage::Format_RGB32);
  image.fill(Qt::white);
  const QRect area(10, 10, 120, 280);
  {
    QPainter p(&image);
    paintColourBar(p, area, ColourScale(ColourMap::named(QStringLiteral("blue-red")), -1, 1),
                   QStringLiteral("tanh(c) tanh(c)"));
  }
  std::vector<bool> inked(static_cast<size_t>(image.height()));
  for (int y = 0; y < image.height(); ++y)
    for (int x = area.left() + 14 + 6; x < image.width(); ++x)
      if (qGray(image.pixel(x, y)) < 160) inked[static_cast<size_t>(y)] = true;
  // Rows of ink from the top: the title, then a gap, then the top tick's label.
  int y = 0;
  while (y < image.height() && !inked[static_cast<size_t>(y)]) ++y;
  ASSERT_LT(y, 40) << "no title";
  while (y < image.height() && inked[static_cast<size_t>(y)]) ++y;
  const int titleEnd = y;
  while (y < image.height() && !inked[static_cast<size_t>(y)]) ++y;
  EXPECT_GE(y - titleEnd, 1) << "the title touches the top tick's label";
  EXPECT_LT(y, 80) << "no top tick label below the title";
}

// A step near the end of the text does not leave the page nearly empty: the page starts early enough to be
// filled down to the last token.
TEST_F(FigureTest, TheTextColouringPageIsFilledWhenTheStepIsNearTheEnd) {
  TextColourView text;
  text.resize(300, 90);
  text.show();
  text.setData(data_, tokens_, QStringLiteral("layer 0 · h"));
  text.setCurrentStep(39);
  EXPECT_GT(text.pageStart(), 0);   // the whole text does not fit in 90 pixels
  EXPECT_LT(text.pageStart(), 30);  // but more than the last line does
  EXPECT_FALSE(text.cellOf(39).isEmpty());
  EXPECT_FALSE(text.cellOf(text.pageStart()).isEmpty());
}

TEST_F(FigureTest, TheTextColouringFigureHasAColourBarNoKeyHintAndFitsItsText) {
  TextColourView text;
  text.resize(600, 300);
  text.show();  // laid out: the figure shows the page on screen
  text.setData(data_, tokens_, QStringLiteral("layer 0 · h"));
  text.setScale(scale_);
  text.setUnit(2);
  FigureExportOptions o;
  o.size = QSizeF(300, 100), o.dpi = 96, o.fitHeight = true;
  ASSERT_EQ(exportView(text, path(QStringLiteral("t.svg")), o), QString());
  const QString svg = readText(path(QStringLiteral("t.svg")));
  EXPECT_FALSE(svg.contains(QStringLiteral("Up/Down"))) << "the keyboard hint is in the figure";
  EXPECT_FALSE(svg.contains(QStringLiteral("do not fit")));
  EXPECT_TRUE(svg.contains(QStringLiteral(">-1</text>")) && svg.contains(QStringLiteral(">1</text>")))
      << "no colour bar ticks";
  EXPECT_TRUE(svg.contains(QStringLiteral("viewBox=\"0 0 300 %1\"").arg(text.figureHeightForWidth(300))));
  // The current step's red box only with marks (on a grey map, where nothing else is red).
  text.setCurrentStep(3);
  text.setScale(ColourScale(ColourMap::named(QStringLiteral("greys")), -1, 1));
  const auto boxPixels = [&](FigureMarks marks) {
    FigureExportOptions png;
    png.size = QSizeF(300, 100), png.dpi = 96, png.fitHeight = true, png.marks = marks;
    EXPECT_EQ(exportView(text, path(QStringLiteral("t.png")), png), QString());
    const QImage image(path(QStringLiteral("t.png")));
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) {
        const QRgb c = image.pixel(x, y);
        count += qRed(c) > 150 && qGreen(c) < 100 && qBlue(c) < 100;
      }
    return count;
  };
  EXPECT_EQ(boxPixels(FigureMarks::Omitted), 0);
  EXPECT_GT(boxPixels(FigureMarks::Drawn), 10);
  // A fixed height too small for the text says what it leaves out instead of cutting it silently.
  o.fitHeight = false, o.size = QSizeF(300, 80);
  ASSERT_EQ(exportView(text, path(QStringLiteral("short.svg")), o), QString());
  EXPECT_TRUE(readText(path(QStringLiteral("short.svg"))).contains(QStringLiteral("do not fit")));
}

TEST_F(FigureTest, TheTrajectoryFigureLabelsItsStepsWithTheirTokensAndDrawsTheCurrentUnitOnlyWhenAsked) {
  TrajectoryChart trajectories;
  showTrajectories(trajectories, 20);
  FigureExportOptions o;
  o.size = QSizeF(900, 400), o.dpi = 96;
  ASSERT_EQ(exportView(trajectories, path(QStringLiteral("tr.svg")), o), QString());
  const QString svg = readText(path(QStringLiteral("tr.svg")));
  int labelled = 0;
  for (int s = 0; s < 20; ++s) labelled += svg.contains(QStringLiteral(">%1</text>").arg(tokens_[s]));
  EXPECT_GE(labelled, 10) << "tokens of the 20 steps shown: " << labelled;
  // The current unit (the first line) is drawn twice as wide only with marks: count its colour.
  const auto firstLinePixels = [&](FigureMarks marks) {
    o.marks = marks;
    EXPECT_EQ(exportView(trajectories, path(QStringLiteral("tr.png")), o), QString());
    const QImage image(path(QStringLiteral("tr.png")));
    const QColor line = categoricalColour(0);
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) count += colourDifference(image.pixel(x, y), line.rgb()) < 5;
    return count;
  };
  EXPECT_GT(firstLinePixels(FigureMarks::Drawn), 1.4 * firstLinePixels(FigureMarks::Omitted));
}

TEST_F(FigureTest, CsvHoldsTheRealCharactersProperlyQuoted) {
  QStringList tokens = tokens_;
  tokens[7] = QStringLiteral("say \"hi\", then");
  heatmap_.setData(data_, tokens);
  ASSERT_EQ(exportView(heatmap_, path(QStringLiteral("f.csv"))), QString());
  const std::vector<QStringList> rows = parseCsv(readText(path(QStringLiteral("f.csv"))));
  ASSERT_EQ(rows.size(), 1u + 40u);
  for (const QStringList& row : rows) ASSERT_EQ(row.size(), 2 + 8);
  EXPECT_EQ(rows[1 + 4][1], QStringLiteral(" "));
  EXPECT_EQ(rows[1 + 9][1], QStringLiteral("\n"));
  EXPECT_EQ(rows[1 + 7][1], QStringLiteral("say \"hi\", then"));
  EXPECT_EQ(rows[1 + 0][1], QStringLiteral("a"));
  EXPECT_FLOAT_EQ(rows[1 + 9][2 + 5].toFloat(), (*values_)(5, 9));
}

TEST(AttributionFigure, IsAsTallAsItsTextAndNothingIsCutAtThatHeight) {
  AttributionTextView view;
  view.resize(400, 200);
  QStringList tokens;
  std::vector<double> values;
  for (int s = 0; s < 120; ++s) tokens << QString(QChar('a' + s % 26)), values.push_back(std::sin(s));
  view.setContent(tokens, {{QStringLiteral("IG"), values, QStringLiteral("δ = 0.01"), false}},
                  QStringLiteral("a long title that names the model, the method and the target"), 100);
  FigureExportOptions o;
  o.unit = FigureUnit::Millimetres, o.size = QSizeF(89, 30), o.fitHeight = true;
  QTemporaryDir dir;
  ASSERT_EQ(exportView(view, dir.filePath(QStringLiteral("a.svg")), o), QString());
  const int width = figureLogicalSize(o).width(), height = view.figureHeightForWidth(width);
  EXPECT_GT(height, figureLogicalSize(o).height());  // taller than the 30 mm asked: the text needs it
  EXPECT_TRUE(readText(dir.filePath(QStringLiteral("a.svg")))
                  .contains(QStringLiteral("viewBox=\"0 0 %1 %2\"").arg(width).arg(height)));
  // At that height the figure is the top of the same figure drawn taller: no context dropped, the legend
  // where it belongs (a height too small would move it up over the text or drop the first tokens).
  const auto drawn = [&](int h) {
    QImage image(width, h, QImage::Format_RGB32);
    image.setDotsPerMeterX(3780), image.setDotsPerMeterY(3780);  // 96 dpi, as exports draw
    image.fill(Qt::white);
    {
      QPainter p(&image);
      view.renderFigure(p, QSize(width, h), FigureMarks::Omitted);
    }
    return image;
  };
  EXPECT_EQ(drawn(height), drawn(height + 200).copy(0, 0, width, height));
}

}  // namespace
}  // namespace lstmscope::viz
