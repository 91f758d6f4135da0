// The all-targets matrix as a user meets it: opened from its tab at the default window size, exported as
// vector figures, and exported again right after the target moved.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "tests/app/test_window.h"
#include "viz/figure_export.h"

namespace lstmscope::app {
namespace {

class AttributionMatrixTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::openDemoForTest(window_));
    window_.attribution()->setMethod(AttributionMethod::GradientTimesInput);  // light: ASan runs this too
    window_.pickCurrent(40, 0);  // the matrix of the steps up to it: 0..40 (the demo text is long)
    window_.findChild<QDockWidget*>(QStringLiteral("attribution"))->raise();
    QApplication::processEvents();
    // Open the "All targets" tab with the mouse, as a user does.
    auto* tabs = window_.attribution()->findChild<QTabWidget*>();
    ASSERT_NE(tabs, nullptr);
    QTabBar* bar = tabs->tabBar();
    const int index = tabs->indexOf(matrix());
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(index).center());
    ASSERT_EQ(tabs->currentWidget(), matrix());
    settle();
    ASSERT_EQ(matrix()->size(), 41);
  }

  void settle() {
    QTest::qWait(50);
    for (int k = 0; k < 18000 && !window_.attribution()->settled(); ++k) QTest::qWait(10);  // generous for ASan
    ASSERT_TRUE(window_.attribution()->settled());
    QApplication::processEvents();
  }

  viz::AttributionMatrixView* matrix() const { return window_.attribution()->matrixView(); }

  // Pixels at the centres of a grid of cells, the way `image` shows the matrix at `plot`.
  std::vector<QRgb> cellColours(const QImage& image, const QRect& plot) const {
    std::vector<QRgb> colours;
    const long n = matrix()->size();
    for (long r = 0; r < n; r += 3) {
      if (matrix()->firstStep() + r == matrix()->currentStep()) continue;  // under the target's outline
      for (long c = 0; c < n; c += 3)
        colours.push_back(image.pixel(plot.left() + static_cast<int>((c + 0.5) * plot.width() / n),
                                      plot.top() + static_cast<int>((r + 0.5) * plot.height() / n)) &
                          0xffffff);
    }
    return colours;
  }

  // The matrix exported as PNG at the view's own size, compared cell by cell with what the view shows.
  void expectExportShowsTheView(const QString& name) {
    QTemporaryDir dir;
    viz::FigureExportOptions o;
    o.size = matrix()->QWidget::size();
    o.dpi = 96;
    o.marks = viz::FigureMarks::Drawn;  // as on screen, with the current target's outline
    const QString path = dir.filePath(name + QStringLiteral(".png"));
    ASSERT_EQ(viz::exportView(*matrix(), path, o), QString());
    const QImage exported(path), shown = matrix()->grab().toImage();
    if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS")) {
      exported.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/%1-export.png").arg(name));
      shown.save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/%1-shown.png").arg(name));
    }
    EXPECT_EQ(cellColours(exported, matrix()->matrixRect()), cellColours(shown, matrix()->matrixRect()))
        << name.toStdString();
  }

  MainWindow window_;
};

TEST_F(AttributionMatrixTest, FillsItsViewWithSquareCellsAndReadableLabels) {
  const QRect plot = matrix()->matrixRect();
  const QSize view = matrix()->QWidget::size();
  if (!qEnvironmentVariableIsEmpty("LSTMSCOPE_TEST_SHOTS"))
    window_.grab().save(qEnvironmentVariable("LSTMSCOPE_TEST_SHOTS") + QStringLiteral("/matrix-window.png"));
  // Square: as many pixels across as down, for as many columns as rows.
  EXPECT_EQ(plot.width(), plot.height());
  // The view is given room (a bottom dock is short) and the square takes most of its height, with its
  // labels and colour bar inside the view.
  EXPECT_GE(view.height(), 280) << view.width() << "x" << view.height();  // about half the 800 px window
  EXPECT_GE(plot.height(), 0.7 * view.height()) << plot.height() << " of " << view.height();
  const int line = matrix()->fontMetrics().height();
  EXPECT_GE(plot.left(), matrix()->fontMetrics().horizontalAdvance(QStringLiteral("40")));
  EXPECT_LE(plot.bottom() + line, view.height());  // the column labels
  EXPECT_GE(plot.top(), line);
  // The pixels are the matrix: above the diagonal (inputs after the target) the neutral colour of the map.
  const QImage shown = matrix()->grab().toImage();
  const long n = matrix()->size();
  const QRgb neutral = shown.pixel(plot.left() + static_cast<int>((n - 0.5) * plot.width() / n),
                                   plot.top() + static_cast<int>(0.5 * plot.height() / n));
  EXPECT_LT(viz::colourDifference(neutral, qRgb(247, 247, 247)), 3);
}

TEST_F(AttributionMatrixTest, ExportsVectorCellsThatKeepTheirColours) {
  QTemporaryDir dir;
  viz::FigureExportOptions o;
  o.size = QSize(700, 560);
  o.dpi = 96;  // one pixel per logical unit: the SVG drawn again at the same size matches cell for cell
  const QString svgPath = dir.filePath(QStringLiteral("m.svg")), pdfPath = dir.filePath(QStringLiteral("m.pdf"));
  ASSERT_EQ(viz::exportView(*matrix(), svgPath, o), QString());
  ASSERT_EQ(viz::exportView(*matrix(), pdfPath, o), QString());
  QFile svg(svgPath), pdf(pdfPath);
  ASSERT_TRUE(svg.open(QIODevice::ReadOnly) && pdf.open(QIODevice::ReadOnly));
  const QByteArray svgText = svg.readAll(), pdfBytes = pdf.readAll();
  EXPECT_FALSE(svgText.contains("<image")) << "the SVG embeds an image";
  EXPECT_GT(svgText.count("<rect") + svgText.count("<path"), matrix()->size());
  EXPECT_FALSE(pdfBytes.contains("/Subtype /Image")) << "the PDF embeds an image";
  EXPECT_FALSE(pdfBytes.contains("/DCTDecode")) << "the PDF holds a JPEG";
  // The SVG drawn again shows red and blue cells in the map's own strong reds and blues (not blurred
  // into each other).
  QImage drawn(o.size.toSize(), QImage::Format_RGB32);
  drawn.fill(Qt::white);
  {
    QPainter p(&drawn);
    QSvgRenderer(svgPath).render(&p);
  }
  const viz::ColourMap map = viz::ColourMap::named(QStringLiteral("blue-red"));
  QSet<QRgb> strongBlues, strongReds;
  for (int i = 0; i < 40; ++i) strongBlues.insert(map.entry(i) & 0xffffff);
  for (int i = 216; i < viz::ColourMap::kSize; ++i) strongReds.insert(map.entry(i) & 0xffffff);
  int blue = 0, red = 0;
  for (int y = 0; y < drawn.height(); ++y)
    for (int x = 0; x < drawn.width(); ++x) {
      const QRgb c = drawn.pixel(x, y) & 0xffffff;
      blue += strongBlues.contains(c), red += strongReds.contains(c);
    }
  EXPECT_GT(blue, 100);
  EXPECT_GT(red, 100);
}

TEST_F(AttributionMatrixTest, ExportAfterMovingTheTargetExportsWhatIsShown) {
  expectExportShowsTheView(QStringLiteral("matrix-40"));
  // Click a later step in the heatmap: the target moves past the matrix's last row.
  viz::HeatmapView* heatmap = window_.heatmap();
  const auto& vp = heatmap->viewport();
  const long step = static_cast<long>(std::floor(vp.firstStep + vp.visibleSteps)) - 2;
  ASSERT_GT(step, 40);
  QTest::mouseClick(heatmap, Qt::LeftButton, {},
                    QPoint(heatmap->plotRect().left() + static_cast<int>(vp.xOfStep(step + 0.5)),
                           heatmap->plotRect().top() + static_cast<int>(vp.yOfRow(0.5))));
  ASSERT_EQ(window_.state().currentStep, step);
  // At once, before the new matrix is computed: the view says its matrix is outdated, and marks the new
  // target; an export now is that same picture.
  EXPECT_EQ(matrix()->currentStep(), step);
  EXPECT_TRUE(matrix()->outdated());
  expectExportShowsTheView(QStringLiteral("matrix-moving"));
  settle();
  EXPECT_FALSE(matrix()->outdated());
  EXPECT_EQ(matrix()->firstStep() + matrix()->size() - 1, step);
  EXPECT_EQ(matrix()->currentStep(), step);
  expectExportShowsTheView(QStringLiteral("matrix-moved"));
}

}  // namespace
}  // namespace lstmscope::app
