// Streaming (stateful) ONNX graphs, as voice-activity models ship (docs/IMPORT.md "Streaming graphs"): one
// call reads a chunk of audio and the LSTM state, and returns a probability and the new state; the
// caller feeds the state back. LSTMScope opens the LSTM such a graph runs (wherever it sits, inside If
// branches too, with weights the graph computes), and runs the whole graph chunk by chunk over a WAV
// file with the operator evaluator (onnx_eval/), collecting what the LSTM read at each call; the engine
// then records the LSTM once over all the chunks, checked against the states the graph returned.
#pragma once

#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/tape.h"
#include "core/formats/foreign/import_report.h"
#include "core/formats/wav.h"

namespace lstmscope {

// The sample rate a graph that reads one (an integer scalar input, Silero's `sr`) is opened and run at.
constexpr int kStreamingSampleRate = 16000;
// The lowest rate resampled to it: below, a file is no speech recording (a damaged header's 1 Hz would
// become 16000 samples per sample).
constexpr int kMinResampledRate = 1000;

// How a graph reads its input: the audio input, the state inputs and the outputs they come back from,
// the sample-rate input, and the chunk length when the graph's shape fixes it.
struct StreamingInterface {
  std::string audio;  // float, [batch, samples] or [samples]
  bool audioHasBatch = true;
  long declaredChunk = 0;  // 0: the graph leaves the length open
  std::string rate;        // an integer scalar input, or empty
  struct State {
    std::string input, output;
    std::vector<int64_t> shape;  // with the batch of one
  };
  std::vector<State> states;
  std::vector<std::string> outputs;  // the other outputs: what the head gives each call
};

// Whether the graph at `path` reads audio and state as above: the interface, or InputError saying why not.
StreamingInterface streamingInterface(const std::string& path);

// The LSTM a streaming graph runs, opened alone with the weights the graph gives it (the graph is run on
// two probe chunks, the second with the first's state, which must reach the LSTM unchanged). Its input
// is the LSTM's input features; the report says how the rest is run (--wav). InputError when the graph
// is not streaming, runs no or several LSTM nodes per call, or does not carry the state over. `givenChunk`
// (record's --chunk): the probe length for a graph that leaves it open, instead of the usual ones.
ImportedModel readStreamingOnnx(const std::string& path, const std::string& whyNotWhole, long givenChunk = 0);

struct StreamingOptions {
  long chunk = 0;              // samples per call; 0: the graph's own, else the first probe length it runs with
  long hop = 0;                // samples between calls; 0: the chunk (no overlap)
  long maxSteps = 10'000'000;  // calls, and LSTM steps over all calls, refused beyond it
  std::string limitAdvice;     // how the caller's user raises it, ending the refusal ("raise it with --max-steps")
};

// What running a streaming graph over audio gives, one call per chunk.
struct StreamingRun {
  long chunk = 0, hop = 0, calls = 0;
  int sampleRate = 0;          // of the samples the graph read
  int resampledFrom = 0;       // the file's rate when it was resampled to sampleRate, else 0
  Mat<float> features;         // (D, steps): what the LSTM read, every call's steps in order
  std::vector<long> stepCall;  // the call each step belongs to
  std::vector<std::string> outputNames;
  std::vector<std::vector<double>> outputs;  // [output][call]: each output's first value (a probability)
  std::vector<float> peaks;                  // [call]: the largest |sample| among the samples the call adds (its hop)
  // Each step's label: the time its call starts reading new samples ("0.032 s"), as the CLI and app show it.
  std::vector<std::string> stepLabels() const;
  // One sentence for the user: how long the audio is, its encoding and rate (and what it was resampled to),
  // the calls, chunk and hop, and how closely the recorded LSTM matched the graph's states.
  std::string describe(const WavAudio& audio) const;
  double worstStateGap = 0;  // relative |engine − graph| over every step's h and every call's final h and c
};

// Runs the graph at `path` over `audio`: call k reads samples [k·hop − (chunk − hop), k·hop + hop), zeros
// outside the audio (the first windows' context, the last call's tail); ceil(samples / hop) calls. The
// state starts at zero and is fed back after each call. Every call is checked as it runs
// (streaming_check.h): its LSTM starts where it ended, and `model` (readStreamingOnnx's) gives the node's
// output at every step and its final state within 1e-4 · (1 + |value|), or InputError says where they
// part. A graph that reads the sample rate gets kStreamingSampleRate and audio at another rate resampled
// to it (audio_resample.h); a graph that does not is run at the file's rate. InputError also for audio
// whose rate cannot be resampled, a chunk other
// than the graph's fixed one, a hop longer than the chunk, more calls or steps than options.maxSteps
// (before running, or as soon as they pass it), and for anything the evaluator refuses.
StreamingRun runStreamingGraph(const std::string& path, const Model& model, const WavAudio& audio,
                               const std::string& audioName, const StreamingOptions& options,
                               const ProgressCallbacks& progress = {});

}  // namespace lstmscope
