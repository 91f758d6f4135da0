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

TEST(StreamingOnnx, RunChunkByChunkMatchesPyTorchAndTheLstmRunOnce) {
  const std::string path = fixture("torch_streaming_vad.onnx"), wav = fixture("streaming_vad.wav");
  const Model model = importModel(path).model;
  const StreamingRun run = runStreamingGraph(path, model, readWavFile(wav, 100000), wav, {0, 64});
  const std::string expectedPath = fixture("torch_streaming_vad_expected.h5");
  h5::File expected = h5::File::openReadOnly(expectedPath);
  const std::vector<double> probs = h5::readDoubles(expected.id(), "probs", expectedPath).values;
  const std::vector<double> hs = h5::readDoubles(expected.id(), "h", expectedPath).values;  // (calls, 5)
  const std::vector<double> cs = h5::readDoubles(expected.id(), "c", expectedPath).values;
  const auto h = [&](long k, long u) { return hs[size_t(k * 5 + u)]; };
  const auto c = [&](long k, long u) { return cs[size_t(k * 5 + u)]; };
  EXPECT_EQ(run.chunk, 96);
  EXPECT_EQ(run.hop, 64);
  ASSERT_EQ(run.calls, static_cast<long>(probs.size()));  // ceil(1000 / 64) = 16
  ASSERT_EQ(run.outputNames, std::vector<std::string>{"output"});
  for (size_t k = 0; k < probs.size(); ++k) EXPECT_NEAR(run.outputs[0][k], probs[k], 1e-5) << "call " << k;
  EXPECT_LT(run.worstStateGap, 1e-5);

  // One step per call; the engine's run over every call's features from a zero state ends each call in
  // the state PyTorch carried from call to call.
  ASSERT_EQ(run.features.cols(), run.calls);
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

TEST(StreamingOnnx, AudioItCannotRunIsRefusedByName) {
  const std::string path = fixture("torch_streaming_vad.onnx");
  const Model model = importModel(path).model;
  const std::string eightK = fixture("streaming_vad_8k.wav");
  EXPECT_EQ(errorOf([&] { runStreamingGraph(path, model, readWavFile(eightK, 100000), "speech.wav", {}); }),
            "speech.wav: the audio is 8000 Hz; the model was opened for 16000 Hz (its graph reads the rate from sr): "
            "resample it first, e.g. `sox IN.wav -r 16000 OUT.wav`");
  const WavAudio audio = readWavFile(fixture("streaming_vad.wav"), 100000);
  EXPECT_EQ(errorOf([&] {
              runStreamingGraph(path, model, audio, "speech.wav", {96, 128});
            }),
            path + ": the hop (128 samples) is longer than the chunk (96): samples between chunks would be skipped");
  EXPECT_EQ(errorOf([&] {
              runStreamingGraph(path, model, audio, "speech.wav", {100, 50});
            }),
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

// The command line: a trace whose steps are the calls, labelled with their time, with the graph's output
// and the waveform as meta tracks; bad audio exits 3, options that cannot go together exit 2.
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
  EXPECT_EQ(eightK.exitCode, 3) << eightK.output;
  EXPECT_NE(eightK.output.find("the audio is 8000 Hz"), std::string::npos) << eightK.output;
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
