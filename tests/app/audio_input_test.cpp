// Audio in the app (docs/APP.md "Audio"): a WAV file dropped on the window with a streaming ONNX graph
// open (tests/foreign/make_onnx_files.py, torch_streaming_vad) runs the graph chunk by chunk; the heatmap's
// steps are its calls, labelled with their time, with the waveform and the graph's output drawn above.
// Audio at another rate is resampled for a graph that reads the rate; audio the graph cannot take is said in
// the Text panel.
#include <QDropEvent>
#include <QFile>
#include <QFrame>
#include <QLabel>
#include <QMimeData>
#include <QStatusBar>
#include <QUrl>

#include "app/gui/input_pane.h"
#include "tests/app/test_window.h"

namespace lstmscope::test {
namespace {

QString fixture(const char* name) {
  return QString::fromUtf8(LSTMSCOPE_FOREIGN_DIR) + QStringLiteral("/onnx/") + QString::fromUtf8(name);
}

void drop(QWidget& window, const QString& path) {
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(path)});
  QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &enter);
  QDropEvent event(QPointF(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &event);
}

TEST(AudioInApp, ADroppedWavRunsTheStreamingGraphAndShowsItsCallsInTime) {
  app::MainWindow window;
  // First the demo, explained at step 104: none of it may stay in the Attribution dock afterwards.
  ASSERT_TRUE(openDemoForTest(window));
  window.pickCurrent(104, 0);
  for (int k = 0; k < 6000 && !(window.attribution()->settled() && window.attribution()->report()); ++k)
    QTest::qWait(10);
  ASSERT_TRUE(window.attribution()->report());
  ASSERT_GT(window.attribution()->barChart()->barCount(), 0);
  QSignalSpy shown(&window, &app::MainWindow::analysisShown);
  window.openModel(fixture("torch_streaming_vad.onnx"));
  window.setAudioCalls(0, 64);
  QSignalSpy failed(&window, &app::MainWindow::analysisFailed);
  drop(window, fixture("streaming_vad.wav"));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString() << " (" << failed.size() << " failed)";
  ASSERT_EQ(window.session()->audioPath(), fixture("streaming_vad.wav"));
  const Recording& r = *window.recording();
  ASSERT_EQ(r.steps, 16);  // ceil(1000 samples / hop 64)
  EXPECT_EQ(r.tokens[0], "0.000 s");
  EXPECT_EQ(r.tokens[1], "0.004 s");  // 64 samples at 16 kHz
  EXPECT_EQ(r.tokens[15], "0.060 s");
  const auto& strips = window.heatmap()->metaStrips();
  ASSERT_EQ(strips.size(), 2u);
  EXPECT_EQ(strips[0].style.name, QStringLiteral("waveform"));
  EXPECT_TRUE(strips[0].style.envelope);
  EXPECT_EQ(strips[1].style.name, QStringLiteral("output"));
  EXPECT_EQ(strips[1].values.size(), 16u);
  for (float p : strips[1].values) EXPECT_TRUE(p > 0 && p < 1) << p;  // a sigmoid's probability
  // The graph's LSTM opened alone has no head: the dock says so in every tab, with no chart of the demo.
  EXPECT_FALSE(window.attribution()->report());
  EXPECT_EQ(window.attribution()->barChart()->barCount(), 0);
  EXPECT_EQ(window.session()->result()->graphOutputs, QStringList{QStringLiteral("output")});

  // Drawn: the envelope's bars above the heatmap, and the step labels as written (no visible spaces).
  ASSERT_TRUE(waitForHeatmapFrame(window));
  const QImage image = window.heatmap()->grab().toImage();
  int envelope = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) envelope += image.pixelColor(x, y) == QColor(0x44, 0x55, 0x66);
  EXPECT_GT(envelope, 16);
  EXPECT_EQ(window.session()->stepTokens()[1], QStringLiteral("0.004 s"));

  // Typing in the Text panel goes back to text: the audio is no longer the input.
  auto* pane = window.findChild<app::InputPane*>();
  ASSERT_TRUE(pane);
  EXPECT_EQ(pane->audioPath(), fixture("streaming_vad.wav"));
  QTest::keyClicks(window.textEditor(), QStringLiteral("1"));
  EXPECT_TRUE(pane->audioPath().isEmpty());
}

// A 16-bit mono WAV of `samples` zeros with the header's rate set to `rate`, in the test's temp folder.
QString writeSilentWavAtRate(const char* name, uint32_t rate, uint32_t samples) {
  const QString path = QString::fromStdString(::testing::TempDir()) + QString::fromUtf8(name);
  QFile file(path);
  EXPECT_TRUE(file.open(QIODevice::WriteOnly));
  const auto u32 = [&](uint32_t v) {
    for (int b = 0; b < 4; ++b) file.putChar(char((v >> (8 * b)) & 0xff));
  };
  const auto u16 = [&](uint16_t v) { file.putChar(char(v & 0xff)), file.putChar(char(v >> 8)); };
  file.write("RIFF"), u32(36 + 2 * samples), file.write("WAVEfmt "), u32(16);
  u16(1), u16(1), u32(rate), u32(uint32_t(uint64_t(rate) * 2)), u16(2), u16(16);
  file.write("data"), u32(2 * samples), file.write(QByteArray(int(2 * samples), '\0'));
  return path;
}

TEST(AudioInApp, AudioAtAnotherRateIsResampledAndARateThatCannotBeIsSaid) {
  app::MainWindow window;
  prepareForTest(window);
  auto* pane = window.findChild<app::InputPane*>();
  ASSERT_TRUE(pane);
  QSignalSpy shown(&window, &app::MainWindow::analysisShown);
  QSignalSpy failed(&window, &app::MainWindow::analysisFailed);
  QSignalSpy notes(pane, &app::InputPane::notes);
  window.openModel(fixture("torch_streaming_vad.onnx"));
  ASSERT_TRUE(window.openAudioFile(fixture("streaming_vad_8k.wav")));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_EQ(window.recording()->steps, 21);             // 1000 samples at 8 kHz are 2000 at 16 kHz: ceil(2000 / 96)
  EXPECT_EQ(window.recording()->tokens[1], "0.006 s");  // 96 samples at 16 kHz
  ASSERT_FALSE(notes.isEmpty());
  EXPECT_TRUE(notes.last()[0].toString().contains(QStringLiteral("at 8000 Hz, resampled to 16000 Hz for the graph")))
      << notes.last()[0].toString().toStdString();

  ASSERT_TRUE(window.openAudioFile(writeSilentWavAtRate("prime_rate.wav", 9999991, 100)));
  for (int k = 0; k < 600 && failed.isEmpty(); ++k) QTest::qWait(100);
  ASSERT_FALSE(failed.isEmpty());
  const QString message = failed.last()[0].toString();
  EXPECT_TRUE(message.contains(QStringLiteral("cannot resample 9999991 Hz to 16000 Hz"))) << message.toStdString();
  EXPECT_TRUE(pane->problemBar()->isVisible());
  EXPECT_TRUE(pane->problemMessage()->text().contains(QStringLiteral("9999991 Hz")));
}

// A graph that runs only with 200 samples per call: opened first without audio, its LSTM opens alone; audio with a
// chunk of 200 (the app's --chunk) reaches the import probe, and the graph runs as a streaming graph.
TEST(AudioInApp, TheChunkGivenReachesTheImportProbe) {
  app::MainWindow window;
  prepareForTest(window);
  QSignalSpy shown(&window, &app::MainWindow::analysisShown);
  window.openModel(fixture("torch_streaming_frames200.onnx"));
  window.setAudioCalls(200, 0);
  ASSERT_TRUE(window.openAudioFile(fixture("streaming_vad.wav")));
  ASSERT_TRUE(shown.wait(60000)) << window.lastError().toStdString();
  EXPECT_EQ(window.recording()->steps, 5);               // 1000 samples in calls of 200
  EXPECT_EQ(window.recording()->tokens[1], "0.013 s");   // 200 samples at 16 kHz (0.0125 s)
  ASSERT_EQ(window.heatmap()->metaStrips().size(), 2u);  // the waveform and the graph's output
  // The status bar's report is the streaming graph's, not the LSTM opened alone that the probe found without it.
  const QString said = window.statusBar()->currentMessage() + window.statusBar()->toolTip();
  EXPECT_TRUE(said.contains(QStringLiteral("ONNX streaming graph"))) << said.toStdString();
}

}  // namespace
}  // namespace lstmscope::test
