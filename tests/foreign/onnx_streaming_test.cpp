// Streaming ONNX graphs (core/formats/foreign/onnx_streaming.h) against PyTorch: a graph exported with its
// LSTM state as input and output (tests/foreign/make_onnx_files.py, torch_streaming_vad), run call by call
// over a WAV file, gives PyTorch's float64 probabilities, and the LSTM recorded once over all the calls
// ends each call in PyTorch's state.
#include "core/formats/foreign/onnx_streaming.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/formats/hdf5.h"
#include "core/formats/model_loader.h"
#include "core/formats/trace_file.h"
#include "tests/support/run_command.h"

namespace lstmscope::test {
namespace {

std::string fixture(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/onnx/" + name;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(StreamingOnnx, OpensTheLstmAndSaysHowTheGraphRuns) {
  const ImportedModel imported = importModel(fixture("torch_streaming_vad.onnx"));
  EXPECT_EQ(imported.model.arch.inputWidth(), 6);
  ASSERT_EQ(imported.model.arch.layers.size(), 1u);
  EXPECT_EQ(imported.model.arch.layers[0].hidden, 5);
  EXPECT_NE(imported.report.cutOff.find("It is a streaming graph: each call reads a chunk of audio (input) and the "
                                        "LSTM state (state → stateN)"),
            std::string::npos)
      << imported.report.cutOff;
  EXPECT_EQ(imported.report.format, "ONNX streaming graph (opset 14)");
  const StreamingInterface g = streamingInterface(fixture("torch_streaming_vad.onnx"));
  EXPECT_EQ(g.audio, "input");
  EXPECT_EQ(g.rate, "sr");
  EXPECT_EQ(g.declaredChunk, 96);
  EXPECT_EQ(g.outputs, std::vector<std::string>{"output"});
}

// A run's probabilities against a reference written by make_onnx_files.py (PyTorch's float64 module run
// call by call), and the engine's run over every call's features from a zero state: it ends each call in
// the state PyTorch carried from call to call.
void expectMatchesReference(const StreamingRun& run, const Model& model, const std::string& expectedName) {
  const std::string expectedPath = fixture(expectedName);
  h5::File expected = h5::File::openReadOnly(expectedPath);
  const std::vector<double> probs = h5::readDoubles(expected.id(), "probs", expectedPath).values;
  const std::vector<double> hs = h5::readDoubles(expected.id(), "h", expectedPath).values;  // (calls, 5)
  const std::vector<double> cs = h5::readDoubles(expected.id(), "c", expectedPath).values;
  const auto h = [&](long k, long u) { return hs[size_t(k * 5 + u)]; };
  const auto c = [&](long k, long u) { return cs[size_t(k * 5 + u)]; };
  ASSERT_EQ(run.calls, static_cast<long>(probs.size()));
  ASSERT_EQ(run.outputNames, std::vector<std::string>{"output"});
  for (size_t k = 0; k < probs.size(); ++k) EXPECT_NEAR(run.outputs[0][k], probs[k], 1e-5) << "call " << k;
  EXPECT_LT(run.worstStateGap, 1e-5);

  ASSERT_EQ(run.features.cols(), run.calls);  // one step per call
  Inputs<double> in;
  in.steps = static_cast<int>(run.features.cols());
  in.features = run.features.cast<double>();
  Tape<double> tape;
  forward(model.cast<double>(), in, tape);
  for (long k = 0; k < run.calls; ++k)
    for (long u = 0; u < 5; ++u) {
      EXPECT_NEAR(tape.layers[0][0].h(u, k), h(k, u), 1e-5) << "call " << k << " unit " << u;
      EXPECT_NEAR(tape.layers[0][0].c(u, k), c(k, u), 1e-5) << "call " << k << " unit " << u;
    }
}

// Options with a chunk and a hop (0: the graph's own), every other setting left as it is.
StreamingOptions streamingWindows(long chunk, long hop) {
  StreamingOptions options;
  options.chunk = chunk, options.hop = hop;
  return options;
}

TEST(StreamingOnnx, RunChunkByChunkMatchesPyTorchAndTheLstmRunOnce) {
  const std::string path = fixture("torch_streaming_vad.onnx"), wav = fixture("streaming_vad.wav");
  const Model model = importModel(path).model;
  const StreamingRun run = runStreamingGraph(path, model, readWavFile(wav, 100000), wav, streamingWindows(0, 64));
  EXPECT_EQ(run.chunk, 96);
  EXPECT_EQ(run.hop, 64);
  EXPECT_EQ(run.calls, 16);  // ceil(1000 / 64)
  EXPECT_EQ(run.resampledFrom, 0);
  expectMatchesReference(run, model, "torch_streaming_vad_expected.h5");
}

// The graph reads the rate, so it says what it needs: 44.1 kHz audio is brought down and 8 kHz audio up to
// 16 kHz, and the calls match PyTorch run on scipy's resample_poly of the same samples.
TEST(StreamingOnnx, AudioAtAnotherRateIsResampledForAGraphThatReadsTheRate) {
  const std::string path = fixture("torch_streaming_vad.onnx");
  const Model model = importModel(path).model;
  const WavAudio audio44 = readWavFile(fixture("streaming_vad_44k.wav"), 100000);
  const StreamingRun run44 = runStreamingGraph(path, model, audio44, "speech.wav", streamingWindows(0, 64));
  EXPECT_EQ(run44.resampledFrom, 44100);
  EXPECT_EQ(run44.sampleRate, 16000);
  EXPECT_EQ(run44.calls, 16);  // 2800 samples at 44.1 kHz are ceil(2800 · 160 / 441) = 1016 at 16 kHz
  EXPECT_EQ(run44.stepLabels()[1], "0.004 s");
  expectMatchesReference(run44, model, "torch_streaming_vad_44k_expected.h5");
  EXPECT_EQ(run44.describe(audio44).substr(0, 113),
            "0.06 s of PCM 16-bit audio at 44100 Hz, resampled to 16000 Hz for the graph, in 16 calls of 96 samples "
            "(hop 64); ");

  const StreamingRun run8 = runStreamingGraph(path, model, readWavFile(fixture("streaming_vad_8k.wav"), 100000),
                                              "speech.wav", streamingWindows(0, 64));
  EXPECT_EQ(run8.resampledFrom, 8000);
  EXPECT_EQ(run8.calls, 32);  // 2000 samples at 16 kHz
  expectMatchesReference(run8, model, "torch_streaming_vad_8k_expected.h5");

  // A graph that does not read the rate does not say which it needs: it runs at the file's own.
  const std::string hc = fixture("torch_streaming_hc.onnx");
  const StreamingRun plain =
      runStreamingGraph(hc, importModel(hc).model, readWavFile(fixture("streaming_vad_8k.wav"), 100000), "a.wav", {});
  EXPECT_EQ(plain.resampledFrom, 0);
  EXPECT_EQ(plain.sampleRate, 8000);
  EXPECT_EQ(plain.stepLabels().back(), "0.120 s");  // call 15 starts at 15 · 64 samples at 8 kHz
}

TEST(StreamingOnnx, AudioItCannotRunIsRefusedByName) {
  const std::string path = fixture("torch_streaming_vad.onnx");
  const Model model = importModel(path).model;
  const WavAudio audio = readWavFile(fixture("streaming_vad.wav"), 100000);
  // Below 1 kHz a file is no speech recording; and the limit counts the calls at 16 kHz before resampling.
  WavAudio slow = audio;
  slow.sampleRate = 1;
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, slow, "speech.wav", {}); }),
            "speech.wav: the audio is 1 Hz; LSTMScope resamples audio of 1000 Hz or more to the 16000 Hz the graph "
            "reads");
  WavAudio eightK = audio;
  eightK.sampleRate = 8000;  // 1000 samples become 2000: 21 calls of 96
  StreamingOptions few;
  few.maxSteps = 20;
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, eightK, "speech.wav", few); }),
            "speech.wav: the audio gives 21 calls of the graph (hop 96 samples), more than the limit of 20 steps");
  WavAudio primeRate = audio;  // a rate no filter of reasonable length converts to 16 kHz
  primeRate.sampleRate = 9999991;
  EXPECT_NE(errorOf([&] {
              runStreamingGraph(path, model, primeRate, "speech.wav", {});
            }).find("speech.wav: cannot resample 9999991 Hz to 16000 Hz"),
            std::string::npos);
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, audio, "speech.wav", streamingWindows(96, 128)); }),
            path + ": the hop (128 samples) is longer than the chunk (96): samples between chunks would be skipped");
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, audio, "speech.wav", streamingWindows(100, 50)); }),
            path + ": the graph reads chunks of 96 samples, not 100");
  EXPECT_NE(errorOf([] { streamingInterface(fixture("torch_cnn_lstm.onnx")); }).find("no input of audio samples"),
            std::string::npos);
}

// h0 and c0 come back as cn and hn, in that order: paired by name. Each call runs 8 LSTM steps, every one
// checked against the graph's own output, and the state carried from call to call.
TEST(StreamingOnnx, StateInputsArePairedByNameAndEveryStepIsChecked) {
  const std::string path = fixture("torch_streaming_hc.onnx"), wav = fixture("streaming_vad.wav");
  const StreamingInterface g = streamingInterface(path);
  ASSERT_EQ(g.states.size(), 2u);
  EXPECT_EQ(g.states[0].input + "→" + g.states[0].output, "h0→hn");
  EXPECT_EQ(g.states[1].input + "→" + g.states[1].output, "c0→cn");
  const Model model = importModel(path).model;
  const StreamingRun run = runStreamingGraph(path, model, readWavFile(wav, 100000), wav, {});
  EXPECT_EQ(run.calls, 16);  // 1000 samples in calls of 64
  EXPECT_EQ(run.features.cols(), 16 * 8);
  EXPECT_LT(run.worstStateGap, 1e-6);
  // Limits: on the calls before anything runs, on the steps as soon as they pass it.
  StreamingOptions few;
  few.maxSteps = 10, few.limitAdvice = "raise it with --max-steps";
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, readWavFile(wav, 100000), "speech.wav", few); }),
            "speech.wav: the audio gives 16 calls of the graph (hop 64 samples), more than the limit of 10 steps: "
            "raise it with --max-steps");
  few.maxSteps = 20;
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, readWavFile(wav, 100000), "speech.wav", few); }),
            "speech.wav: the graph's LSTM runs more than the limit of 20 steps by the call at 0.008 s: raise it with "
            "--max-steps");
}

// A bidirectional LSTM reads each call's steps from its end too, which one run over the audio cannot do.
TEST(StreamingOnnx, ABackwardDirectionIsRefused) {
  const std::string path = fixture("torch_streaming_bidi.onnx"), wav = fixture("streaming_vad.wav");
  const Model model = importModel(path).model;  // opens as its LSTM alone, not as a streaming graph
  EXPECT_NE(errorOf([&] {
              runStreamingGraph(path, model, readWavFile(wav, 100000), wav, {});
            }).find("the streaming graph's LSTM runs backward (reverse or bidirectional)"),
            std::string::npos);
}

// A graph that runs with none of the probe lengths opens with the chunk the user gives (record's --chunk).
TEST(StreamingOnnx, TheGivenChunkIsWhatTheImportProbeTries) {
  const std::string path = fixture("torch_streaming_frames200.onnx");
  // Not recognised as streaming without it (its LSTM opens alone, the graph's own weights being constants).
  EXPECT_EQ(importModel(path).report.format, "ONNX (opset 14, written by pytorch)");
  ImportChoices given;
  given.audioChunk = 200;
  const ImportedModel imported = importModel(path, {}, given);
  EXPECT_EQ(imported.report.format, "ONNX streaming graph (opset 14)");
  EXPECT_EQ(imported.model.arch.inputWidth(), 8);
  const std::string trace = ::testing::TempDir() + "frames200_trace.h5";
  const CommandResult ok =
      runCommand(std::string(LSTMSCOPE_CLI) + " record --model " + shellQuoted(path) + " --wav " +
                 shellQuoted(fixture("streaming_vad.wav")) + " --chunk 200 --quiet --out " + shellQuoted(trace));
  ASSERT_EQ(ok.exitCode, 0) << ok.output;
  EXPECT_EQ(TraceReader(trace).steps(), 5);  // 1000 samples in calls of 200
  std::remove(trace.c_str());
}

// The command line: a trace whose steps are the calls, labelled with their time, with the graph's output
// and the waveform as meta tracks; audio at 8 kHz is resampled and says so; bad audio exits 3, options
// that cannot go together exit 2.
TEST(StreamingOnnx, RecordWavWritesTheCallsAndRefusesWhatItCannotRun) {
  const std::string model = shellQuoted(fixture("torch_streaming_vad.onnx"));
  const std::string trace = ::testing::TempDir() + "streaming_vad_trace.h5";
  const std::string cli = std::string(LSTMSCOPE_CLI) + " record --model " + model;
  const CommandResult ok = runCommand(cli + " --wav " + shellQuoted(fixture("streaming_vad.wav")) +
                                      " --hop 64 --quiet --out " + shellQuoted(trace));
  ASSERT_EQ(ok.exitCode, 0) << ok.output;
  {
    const TraceReader r(trace);
    EXPECT_EQ(r.steps(), 16);
    EXPECT_EQ(r.tokenText(1, 1).front(), "0.004 s");
    EXPECT_EQ(r.metaNames(), (std::vector<std::string>{"output", "waveform_peak"}));
    EXPECT_GT(r.meta("output").values[3], 0.0f);
  }
  std::remove(trace.c_str());
  const CommandResult eightK =
      runCommand(cli + " --wav " + shellQuoted(fixture("streaming_vad_8k.wav")) + " --out " + shellQuoted(trace));
  EXPECT_EQ(eightK.exitCode, 0) << eightK.output;
  EXPECT_NE(eightK.output.find("at 8000 Hz, resampled to 16000 Hz for the graph, in 21 calls of 96 samples (hop 96)"),
            std::string::npos)
      << eightK.output;
  std::remove(trace.c_str());
  const CommandResult text = runCommand(cli + " --wav " + model + " --out " + shellQuoted(trace));
  EXPECT_EQ(text.exitCode, 3) << text.output;
  EXPECT_NE(text.output.find("not a WAV file"), std::string::npos) << text.output;
  const CommandResult hop = runCommand(cli + " --wav x.wav --chunk 100 --hop 200 --out " + shellQuoted(trace));
  EXPECT_EQ(hop.exitCode, 2) << hop.output;
  EXPECT_NE(hop.output.find("--hop 200 is longer than --chunk 100"), std::string::npos) << hop.output;
  const CommandResult chunk = runCommand(cli + " --text abc --chunk 100 --out " + shellQuoted(trace));
  EXPECT_EQ(chunk.exitCode, 2) << chunk.output;
  EXPECT_NE(chunk.output.find("--chunk and --hop apply to --wav only"), std::string::npos) << chunk.output;
  EXPECT_FALSE(std::ifstream(trace).good());
}

}  // namespace
}  // namespace lstmscope::test
