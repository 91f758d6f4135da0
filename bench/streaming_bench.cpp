// A streaming voice-activity graph over audio (docs/IMPORT.md "Streaming graphs"): a model shaped as Silero
// VAD v5 (bench/torch_streaming.py exports it, with its state as input and output, and writes SECONDS of
// audio), run call by call by the ONNX evaluator with every call checked against the engine, as
// `lstmscope-cli record --wav` runs it. Prints the time per call next to PyTorch running the same module call
// by call (float32, same threads), and next to what the arithmetic alone costs at this machine's float64
// GEMM throughput, all measured in this run.
//
// usage: streaming_bench [SECONDS]   (default 60)
#include <cstdio>
#include <filesystem>
#include <string>

#include "bench/bench_support.h"
#include "core/formats/foreign/onnx_streaming.h"
#include "core/formats/model_loader.h"

using namespace lstmscope;

int main(int argc, char** argv) {
  const double audioSeconds = argc > 1 ? std::stod(argv[1]) : 60;
  const int threads = 2;
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  const std::string dir = (std::filesystem::temp_directory_path() / "lstmscope_streaming_bench").string();
  std::filesystem::create_directories(dir);
  bench::printTorchKernel();
  const std::string report =
      bench::run(bench::torchPython() + " " + std::string(LSTMSCOPE_BENCH_DIR) + "/torch_streaming.py " + dir + " " +
                 std::to_string(audioSeconds) + " " + std::to_string(threads) + " 2>/dev/null");
  const double torchMs = bench::valueAfter(report, "torch_ms_per_call");
  const double flop = bench::valueAfter(report, "flop_per_call");

  const std::string model = dir + "/vad.onnx", wav = dir + "/speech.wav";
  const Model m = importModel(model).model;
  const WavAudio audio = readWavFile(wav, kMaxWavSamples);
  StreamingRun run;
  const double ours = bench::medianSeconds(1, 3, [&] { run = runStreamingGraph(model, m, audio, wav, {576, 512}); });
  const double oursMs = 1e3 * ours / static_cast<double>(run.calls);

  // The arithmetic alone: float64 GEMM (what the evaluator computes in) at a size where it runs at full speed.
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(256, 256), b = Eigen::MatrixXd::Random(256, 256);
  Eigen::MatrixXd c(256, 256);
  const double gemm = bench::medianSeconds(1, 5, [&] {
    for (int k = 0; k < 20; ++k) c.noalias() += a * b;
  });
  const double gemmGflops = 20 * 2.0 * 256 * 256 * 256 / gemm / 1e9;

  std::printf(
      "streaming graph (Silero VAD v5's shape) over %.0f s of audio: %ld calls of 576 samples, hop 512, "
      "%d threads\n",
      audioSeconds, run.calls, threads);
  std::printf("  LSTMScope (evaluator + per-call check): %.3f ms per call, %.1fx real time; state check within %.1e\n",
              oursMs, audioSeconds / ours, run.worstStateGap);
  std::printf("  PyTorch, the same module call by call: %.3f ms per call -> ours takes %.2fx its time\n", torchMs,
              oursMs / torchMs);
  std::printf(
      "  the arithmetic alone (%.2f MFLOP per call) at this machine's float64 GEMM (%.1f GFLOP/s): %.3f ms "
      "per call -> ours spends %.0fx that\n",
      flop / 1e6, gemmGflops, 1e3 * flop / gemmGflops / 1e9, oursMs / (1e3 * flop / gemmGflops / 1e9));
  std::filesystem::remove_all(dir);
  return 0;
}
