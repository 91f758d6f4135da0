// The Encoder dock (docs/APP.md, encoder–decoders): a Keras encoder–decoder opens as its decoder in the main
// heatmap, and the dock shows its encoder on the input's own rows at the same time; the state the decoder
// reads at each of its steps is the encoder's last column. The dock is there only for such a model.
#include <QComboBox>
#include <QDockWidget>
#include <QImage>

#include "app/gui/encoder_panel.h"
#include "tests/app/test_window.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_view.h"

namespace lstmscope::test {
namespace {

QString kerasFixture(const char* name) {
  return QString::fromUtf8(LSTMSCOPE_FOREIGN_DIR) + QStringLiteral("/keras/") + QString::fromUtf8(name);
}

TEST(EncoderDock, ShowsTheEncoderOnTheInputsStepsBesideTheDecoder) {
  app::MainWindow window;
  prepareForTest(window);
  auto* dock = window.findChild<QDockWidget*>(QStringLiteral("encoder"));
  ASSERT_TRUE(dock);
  QSignalSpy shown(&window, &app::MainWindow::analysisShown);
  window.setText(QStringLiteral("day,a,b,c\nmon,1,2,3\ntue,0.5,-1,2\nwed,0,0,1\nthu,2,1,0\nfri,-1,0,1\n"));
  window.openModel(kerasFixture("seq2seq_forecaster.h5"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  ASSERT_EQ(window.recording()->steps, 4);  // the decoder's
  EXPECT_TRUE(dock->isVisibleTo(&window));
  app::EncoderPanel& panel = *window.encoder();
  const auto data = panel.heatmap()->data();
  ASSERT_TRUE(data);
  ASSERT_EQ(data->steps(), 5);  // the table's rows
  ASSERT_EQ(data->units(), 6);
  // What the decoder reads at each of its steps is the encoder's final h, repeated.
  for (long t = 0; t < 4; ++t)
    EXPECT_LE((window.recording()->features.col(t) - data->values().col(4)).cwiseAbs().maxCoeff(), 1e-6) << t;
  EXPECT_TRUE(panel.heatmap()->figureTitle().contains(QStringLiteral("encoder · h over the input's 5 steps")))
      << panel.heatmap()->figureTitle().toStdString();
  // Drawn: the heatmap's cells are coloured, not the empty background.
  dock->raise();
  QImage image(panel.heatmap()->size(), QImage::Format_RGB32);
  for (int k = 0; k < 100 && !panel.heatmap()->frameIsCurrent(); ++k) QTest::qWait(20);
  panel.heatmap()->render(&image);
  int coloured = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = QColor::fromRgb(image.pixel(x, y));
      coloured += c.saturation() > 60;
    }
  EXPECT_GT(coloured, 500);
  // The cell state, chosen in the dock.
  auto* quantity = panel.findChildren<QComboBox*>().at(1);
  quantity->setCurrentIndex(1);
  EXPECT_TRUE(panel.heatmap()->figureTitle().contains(QStringLiteral("encoder · c over")));
  EXPECT_NE(panel.heatmap()->data()->values(), data->values());

  // Another model without an encoder: the dock goes away.
  window.setText(QStringLiteral("a,b,c\n1,2,3\n0.5,-1,2\n0,0,1\n2,1,0\n"));
  window.openModel(kerasFixture("conv_forecaster.h5"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_FALSE(dock->isVisibleTo(&window));
  EXPECT_TRUE(panel.note().contains(QStringLiteral("no encoder")));
}

}  // namespace
}  // namespace lstmscope::test
