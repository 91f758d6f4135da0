// The attribution views draw what they are given: every token's background in the text view, and every
// cell of the all-targets matrix, is the diverging scale's colour of its value; clicks report steps; CSV
// holds the numbers.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QTextStream>

#include "viz/attribution_matrix_view.h"
#include "viz/attribution_text_view.h"
#include "viz/figure_export.h"

namespace lstmscope::viz {
namespace {

QImage render(ExportableView& view, const QSize& size) {
  QImage image(size, QImage::Format_RGB32);
  image.fill(Qt::white);
  QPainter p(&image);
  view.renderFigure(p, size, FigureMarks::Drawn);
  return image;
}

TEST(AttributionTextView, TokensAreTheColourOfTheirAttribution) {
  AttributionTextView view;
  view.resize(600, 300);
  const QStringList tokens{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
  view.setContent(tokens, {{QStringLiteral("IG"), {-2.0, 0.0, 1.0, 2.0}, QStringLiteral("note"), false}},
                  QStringLiteral("title"), -1);  // no target boxed: the box would cover the corners
  const QImage image = render(view, view.size());
  const ColourScale scale(ColourMap::named(QStringLiteral("blue-red")), -2, 2);
  // Tokens sit on the first text line, left to right; sample each cell's top-left corner (no glyph there).
  const QFontMetrics fm(view.font());
  int x = 8;
  const int y = 8 + fm.height() + 6 + fm.height() + 2 + 2 + 1;
  for (int k = 0; k < 4; ++k) {
    const double value = std::vector<double>{-2.0, 0.0, 1.0, 2.0}[static_cast<size_t>(k)];
    EXPECT_EQ(QColor(image.pixel(x + 1, y)), QColor(scale.colourOf(static_cast<float>(value)))) << k;
    x += std::max(fm.horizontalAdvance(tokens[k]), 4) + 2;
  }
  QString csv;
  QTextStream out(&csv);
  view.writeCsv(out);
  QByteArray json;
  ASSERT_TRUE(view.writeJson(json));
  const QJsonObject doc = QJsonDocument::fromJson(json).object();
  EXPECT_EQ(
      doc[QStringLiteral("methods")].toArray()[0].toObject()[QStringLiteral("attributions")].toArray()[3].toDouble(),
      2.0);
  EXPECT_EQ(doc[QStringLiteral("tokens")].toArray().size(), 4);
  EXPECT_EQ(csv, QStringLiteral("step,token,\"IG\"\n0,\"a\",-2\n1,\"b\",0\n2,\"c\",1\n3,\"d\",2\n"));
}

// A matrix not computed yet is not exported as an empty figure or table: the export names why.
TEST(AttributionMatrixView, NothingIsExportedBeforeTheMatrixIsComputed) {
  AttributionMatrixView view;
  const QString path = QDir::temp().filePath(QStringLiteral("lstmscope-empty-matrix.csv"));
  QFile::remove(path);
  const QString error = exportView(view, path, FigureExportOptions{});
  EXPECT_TRUE(error.contains(QStringLiteral("nothing to export: the all-targets matrix has not been computed")))
      << error.toStdString();
  EXPECT_FALSE(QFile::exists(path));
  Mat<double> m(1, 1);
  m << 0.5;
  view.setMatrix(m, {QStringLiteral("a")}, QStringLiteral("matrix"));
  EXPECT_TRUE(exportView(view, path, FigureExportOptions{}).isEmpty());
  EXPECT_TRUE(QFile::exists(path));
  QFile::remove(path);
}

TEST(AttributionMatrixView, CellsAreTheColourOfTheirValuesAndRowsPickSteps) {
  AttributionMatrixView view;
  view.resize(500, 500);
  Mat<double> m(3, 3);
  m << 1, 0, 0, -1, 2, 0, 0.5, -0.5, 1;
  QStringList tokens;
  for (int k = 0; k < 13; ++k) tokens << QString::number(k);
  view.setMatrix(m, tokens, QStringLiteral("matrix"), 10);  // rows are steps 10..12
  view.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
  // Find each cell by its centre through cellAt, then check the colour against the view's own range.
  std::vector<QPoint> centres(9);
  for (int y = 0; y < view.height(); ++y)
    for (int x = 0; x < view.width(); ++x) {
      const auto [r, c] = view.cellAt(QPoint(x, y));
      if (r >= 0) centres[static_cast<size_t>(r * 3 + c)] = QPoint(x, y);  // the last pixel of each cell
    }
  const QImage image = view.grab().toImage();
  QColor zero;
  for (long r = 0; r < 3; ++r)
    for (long c = 0; c < 3; ++c) {
      const QPoint p = centres[static_cast<size_t>(r * 3 + c)] - QPoint(2, 2);
      const QColor got(image.pixel(p));
      if (m(r, c) == 0) {
        if (!zero.isValid()) zero = got;
        EXPECT_EQ(got, zero);  // every zero cell is the scale's neutral colour
      }
      if (m(r, c) > 0) {
        EXPECT_GT(got.red(), got.blue()) << r << c;  // positive: red side
      }
      if (m(r, c) < 0) {
        EXPECT_GT(got.blue(), got.red()) << r << c;  // negative: blue side
      }
    }
  QSignalSpy clicked(&view, &AttributionMatrixView::stepClicked);
  QTest::mouseClick(&view, Qt::LeftButton, {}, centres[4] - QPoint(2, 2));  // row 1 = step 11
  ASSERT_EQ(clicked.size(), 1);
  EXPECT_EQ(clicked[0][0].toLongLong(), 11);
  QString csv;
  QTextStream out(&csv);
  view.writeCsv(out);
  EXPECT_TRUE(csv.startsWith(QStringLiteral("target_step,target_token,input_10,input_11,input_12\n10,\"10\",1,0,0\n")))
      << csv.toStdString();
}

}  // namespace
}  // namespace lstmscope::viz
