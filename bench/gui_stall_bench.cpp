// The GUI thread's longest stall after analysing a long text (docs/APP.md, "Benchmark"): the main window
// on the demo model, a 100,000-character text (the demo's sample repeated) typed in, analysed, shown and
// then left alone for a few seconds. A 1 ms timer on the GUI thread measures every gap between its ticks;
// a gap is time in which the window could not repaint, hover or take a click. Prints the longest gaps
// with when they happened (before or after the analysis was shown) against the 50 ms goal and a frame
// (16 ms). With --where, a watchdog thread interrupts the GUI thread every 10 ms of a stall (from 30 ms
// on) and prints its stack, which names the culprit. Offscreen:
//   QT_QPA_PLATFORM=offscreen build/release/bench/gui_stall_bench [--where] [CHARACTERS]
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/main_window.h"

using namespace lstmscope;

namespace {

std::atomic<long long> lastTickNs{0};

void printStack(int) {
  void* frames[48];
  const int n = backtrace(frames, 48);
  const char line[] = "--- GUI thread during a stall:\n";
  (void)!write(STDERR_FILENO, line, sizeof line - 1);
  backtrace_symbols_fd(frames, n, STDERR_FILENO);
}

// Interrupts `gui` 30 ms into every stall and every 10 ms after, to print its stack: the samples of one
// stall show where its time goes.
void watchdog(pthread_t gui, const std::atomic<bool>& stop) {
  long long stalledSince = -1, nextSampleNs = 0;
  while (!stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const long long tick = lastTickNs.load();
    const long long now =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    if (tick != stalledSince) stalledSince = tick, nextSampleNs = tick + 30'000'000;
    if (tick != 0 && now >= nextSampleNs) {
      nextSampleNs = now + 10'000'000;
      pthread_kill(gui, SIGUSR1);
    }
  }
}

struct Gap {
  double startMs, lengthMs;
};

// Records every gap between ticks of a 1 ms timer longer than `minimumMs`.
class StallWatch : public QObject {
 public:
  explicit StallWatch(double minimumMs) : minimumMs_(minimumMs) {
    clock_.start();
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(1);
    connect(&timer_, &QTimer::timeout, this, [this] {
      const double now = clock_.nsecsElapsed() / 1e6;
      lastTickNs =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
      if (now - last_ > minimumMs_) gaps_.push_back({last_, now - last_});
      last_ = now;
    });
    timer_.start();
  }
  double now() const { return clock_.nsecsElapsed() / 1e6; }
  std::vector<Gap> longest(size_t n) const {
    std::vector<Gap> sorted = gaps_;
    std::sort(sorted.begin(), sorted.end(), [](const Gap& a, const Gap& b) { return a.lengthMs > b.lengthMs; });
    sorted.resize(std::min(n, sorted.size()));
    return sorted;
  }

 private:
  double minimumMs_;
  QElapsedTimer clock_;
  QTimer timer_;
  double last_ = 0;
  std::vector<Gap> gaps_;
};

QString longText(long characters) {
  QFile sample(QStringLiteral(LSTMSCOPE_DEMO_TEXT));
  if (!sample.open(QIODevice::ReadOnly)) return {};
  const QString once = QString::fromUtf8(sample.readAll());
  QString text;
  while (text.size() < characters) text += once;
  text.truncate(characters);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication application(argc, argv);
  const bool where = argc > 1 && std::string(argv[1]) == "--where";
  if (where) --argc, ++argv;
  const long characters = argc > 1 ? std::atol(argv[1]) : 100'000;
  const QString text = longText(characters);
  if (text.isEmpty()) return std::fprintf(stderr, "cannot read %s\n", LSTMSCOPE_DEMO_TEXT), 1;
  app::MainWindow window;
  window.setInteractive(false);
  window.resize(1280, 800);
  window.show();
  QSignalSpy shown(&window, &app::MainWindow::analysisShown);
  window.openDemo();
  if (!shown.wait(120000)) return std::fprintf(stderr, "the demo was not shown\n"), 1;
  QElapsedTimer settle;
  settle.start();
  while (settle.elapsed() < 2000) QApplication::processEvents(QEventLoop::AllEvents, 50);

  StallWatch watch(16);
  std::atomic<bool> stopWatchdog{false};
  std::thread dog;
  if (where) {
    signal(SIGUSR1, printStack);
    dog = std::thread(watchdog, pthread_self(), std::cref(stopWatchdog));
  }
  shown.clear();
  const double typed = watch.now();
  window.setText(text);
  window.analyseNow();
  if (!shown.wait(600000))
    return std::fprintf(stderr, "the long text was not shown: %s\n", qPrintable(window.lastError())), 1;
  const double shownAt = watch.now();
  QElapsedTimer after;
  after.start();
  while (after.elapsed() < 5000) QApplication::processEvents(QEventLoop::AllEvents, 5);

  stopWatchdog = true;
  if (dog.joinable()) dog.join();
  const std::vector<Gap> gaps = watch.longest(8);
  std::printf("GUI thread after analysing %ld characters of the demo (analysis shown %.0f ms after typing)\n",
              characters, shownAt - typed);
  std::printf("  longest stall: %.0f ms (goal < 50 ms; a frame is 16 ms)\n", gaps.empty() ? 0.0 : gaps[0].lengthMs);
  for (const Gap& g : gaps)
    std::printf("  %7.0f ms at %+8.0f ms from %s\n", g.lengthMs,
                g.startMs < shownAt ? g.startMs - typed : g.startMs - shownAt,
                g.startMs < shownAt ? "typing" : "being shown");
  return 0;
}
