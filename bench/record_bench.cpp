// Benchmark: `lstmscope-cli record` of a 2-layer, 512-unit char model over 2,000 characters (whole
// process, all gates written) against PyTorch's bare nn.LSTM forward on the same weights (in-process,
// after warm-up), and against this machine's measured GEMV/GEMM throughput, side by side in one run.
// Then batched recording of a 1M-character corpus: one text cut into segments, and documents of random
// lengths (--corpus, float32 and float16 storage): tokens per second, bytes per step, peak memory, and the
// GEMM floor of the batched recurrence.
//
// usage: record_bench [--quick]   (run from the build tree; needs /usr/bin/python3 with torch)
#include <filesystem>
#include <fstream>
#include <random>

#include "bench/bench_models.h"
#include "bench/bench_support.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"

using namespace lstmscope;
using namespace lstmscope::bench;

namespace {

std::string randomText(long n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> c(0, vocab - 1);
  std::string s(n, ' ');
  for (char& ch : s) ch = static_cast<char>(32 + c(rng));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  printTorchKernel();
  const std::string cli = LSTMSCOPE_CLI, python = torchPython(), script = LSTMSCOPE_BENCH_DIR "/torch_lstm_forward.py";
  const auto dir = std::filesystem::temp_directory_path() / "lstmscope-bench";
  std::filesystem::create_directories(dir);
  const int L = 2, H = 512, V = 96, T = 2000, threads = 2;
  const std::string model = (dir / "char2x512.h5").string(), text = (dir / "text2000.txt").string(),
                    trace = (dir / "trace.h5").string();
  const Model m = charModel(L, H, V);
  saveNativeModel(m, model);
  std::ofstream(text) << randomText(T, V, 1);

  std::printf("== record: 2-layer x 512-unit char model, %d characters, all gates written ==\n", T);
  const std::string recordCmd = "'" + cli + "' record --model '" + model + "' --text-file '" + text + "' --out '" +
                                trace + "' --quiet --threads " + std::to_string(threads);
  const double ours = medianSeconds(1, quick ? 3 : 7, [&] { run(recordCmd); });
  const double traceMB = static_cast<double>(std::filesystem::file_size(trace)) / 1e6;

  Inputs<float> in;
  in.steps = T;
  for (char ch : randomText(T, V, 1)) in.tokens.push_back(ch - 32);
  Tape<float> tape;
  const double engine = medianSeconds(1, quick ? 3 : 7, [&] { forward(m, in, tape); });

  const std::string torchOut = run(python + " '" + script + "' '" + model + "' " + std::to_string(T) + " " +
                                   std::to_string(threads) + " " + (quick ? "3" : "7"));
  const double torchMs = valueAfter(torchOut, "torch_forward_ms");

  const Throughput hw = measureThroughput(H, H, T);
  // The work: per layer and step one (4H x H) recurrent GEMV; layer 1 also a (4H x H)(H x T) input
  // projection (layer 0's one-hot projection is a gather); plus the head's (V x H)(H x T).
  const double gemvFlop = 2.0 * L * T * 4.0 * H * H, gemmFlop = 2.0 * (L - 1) * 4.0 * H * H * T + 2.0 * V * H * T;
  // The floor: the same products at this machine's measured rates, the recurrence split over two cores.
  const double floor = gemvFlop / (hw.gemvTwoCoreGflops * 1e9) + gemmFlop / (hw.gemmGflops * 1e9);
  std::printf("  lstmscope-cli record (whole process, %.1f MB trace)  %8.1f ms\n", traceMB, ours * 1e3);
  std::printf("  our engine forward alone (in-process)               %8.1f ms\n", engine * 1e3);
  std::printf("  PyTorch nn.LSTM forward (in-process, %d threads)      %8.1f ms\n", threads, torchMs);
  std::printf("  ratio record / PyTorch                              %8.3f   (goal <= 0.33)\n", ours * 1e3 / torchMs);
  std::printf("  ratio engine / PyTorch                              %8.3f\n", engine * 1e3 / torchMs);
  std::printf("  this machine: GEMV (4H x H) %.1f GFLOP/s on one core, %.1f split over two; GEMM %.1f GFLOP/s\n",
              hw.gemvGflops, hw.gemvTwoCoreGflops, hw.gemmGflops);
  std::printf("  hardware floor for this workload (GEMV + GEMM time)  %8.1f ms\n", floor * 1e3);
  std::printf("  our engine's rate: %.1f GFLOP/s of recurrent + projection work\n",
              (gemvFlop + gemmFlop) / engine / 1e9);
  std::printf("  engine / floor                                      %8.2f x\n", engine / floor);
  std::printf("  record / floor                                      %8.2f x\n", ours / floor);
  std::fflush(stdout);

  const long corpus = quick ? 100'000 : 1'000'000;
  const int batch = 64;
  std::printf("\n== batched record: demo-size model (2 x 256), %ld-character corpus, batch %d, h and c ==\n", corpus,
              batch);
  const std::string bigModel = (dir / "char2x256.h5").string(), bigText = (dir / "corpus.txt").string();
  saveNativeModel(charModel(2, 256, V), bigModel);
  std::ofstream(bigText) << randomText(corpus, V, 2);
  std::string report;
  const double t = seconds([&] {
    report = run("'" + cli + "' record --model '" + bigModel + "' --text-file '" + bigText + "' --out '" + trace +
                 "' --batch " + std::to_string(batch) + " --quantities h,c --no-outputs 2>&1");
  });
  std::printf("  %.0f tokens/s (whole process), %.1f s, trace %.0f MB, peak memory %.0f MB\n",
              static_cast<double>(corpus) / t, t, static_cast<double>(std::filesystem::file_size(trace)) / 1e6,
              valueAfter(report, "peak memory"));

  // A corpus of documents of random lengths: each from a zero state, run in batches of documents.
  std::printf(
      "\n== corpus record: demo-size model (2 x 256), %ld characters in documents of 200-4000, "
      "--batch %d, h and c ==\n",
      corpus, batch);
  const auto docs = dir / "docs";
  std::filesystem::create_directories(docs);
  std::mt19937 rng(3);
  std::uniform_int_distribution<long> length(200, 4000);
  long written = 0, documents = 0;
  for (; written < corpus; ++documents) {
    const long n = std::min(corpus - written, length(rng));
    std::ofstream(docs / ("doc" + std::to_string(100000 + documents) + ".txt")) << randomText(n, V, 4 + documents);
    written += n;
  }
  const Throughput wide = measureThroughput(256, 256, batch);
  // Per step and layer one (4H x H)(H x B) recurrent product, and layer 1's input projection, at GEMM rate.
  const double corpusFlop = 2.0 * 2 * corpus * 4.0 * 256 * 256 + 2.0 * corpus * 4.0 * 256 * 256;
  const double corpusFloor = corpusFlop / (wide.gemmGflops * 1e9);
  for (const char* precision : {"float", "float16"}) {
    const double tc = seconds([&] {
      report = run("'" + cli + "' record --model '" + bigModel + "' --corpus '" + docs.string() + "' --out '" + trace +
                   "' --batch " + std::to_string(batch) + " --quantities h,c --no-outputs --precision " + precision +
                   " 2>&1");
    });
    const double bytes = static_cast<double>(std::filesystem::file_size(trace));
    std::printf(
        "  %-7s %ld documents: %.0f tokens/s (whole process), %.1f s, %.0f bytes per step, peak memory "
        "%.0f MB; GEMM floor %.2f s (%.1f GFLOP/s), record / floor %.1f x\n",
        precision, documents, static_cast<double>(corpus) / tc, tc, bytes / static_cast<double>(corpus),
        valueAfter(report, "peak memory"), corpusFloor, wide.gemmGflops, tc / corpusFloor);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
