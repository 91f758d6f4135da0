#include "core/formats/foreign/onnx_streaming.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/formats/audio_resample.h"
#include "core/formats/foreign/onnx_eval/onnx_model_file.h"
#include "core/formats/foreign/onnx_file.h"
#include "core/formats/foreign/streaming_check.h"

namespace lstmscope {

using onnx_eval::DeclaredValue;
using onnx_eval::ElementType;
using onnx_eval::Tensor;
using onnx_eval::Values;

namespace {

// Samples per probe call when the graph leaves the length open, tried in turn: graphs written for one
// length take no other (Silero's reads 512 samples and 64 of context at 16 kHz).
constexpr long kProbeChunks[] = {576, 512, 1024, 320, 4096};
constexpr long kMaxChunk = long(1) << 24;  // samples per call: over 17 minutes at 16 kHz

struct CallResult {
  Values values;  // the graph's outputs
  std::vector<LstmNodeCall> lstms;
};

// `withWeights`: keep the LSTM's W, R, B and P too (the probe lifts them into the model; a run over audio
// needs only X and the states, and copying two megabytes of weights per call would dominate it).
CallResult callGraph(const onnx_eval::OnnxModelFile& file, const Values& inputs, bool withWeights) {
  CallResult result;
  result.values = file.run(
      inputs, {},
      [&](const onnx::NodeProto& node, const std::vector<const Tensor*>& in, const std::vector<Tensor>& out) {
        if (node.op_type() != "LSTM") return;
        LstmNodeCall call;
        call.node = &node;
        for (size_t k = 0; k < in.size(); ++k) {
          const bool weight = k == 1 || k == 2 || k == 3 || k == 7;
          call.inputs.push_back(in[k] && (withWeights || !weight) ? std::optional<Tensor>(*in[k]) : std::nullopt);
        }
        call.inputs.resize(8);
        call.outputs = out;
        result.lstms.push_back(std::move(call));
      });
  return result;
}

const LstmNodeCall& theLstm(const CallResult& call, const std::string& path) {
  if (call.lstms.empty()) throw InputError(path, "the streaming graph runs no LSTM node");
  if (call.lstms.size() > 1)
    throw InputError(path, "the streaming graph runs " + std::to_string(call.lstms.size()) +
                               " LSTM nodes per call; LSTMScope follows graphs that run one");
  const LstmNodeCall& lstm = call.lstms.front();
  if (!lstm.inputs[0] || lstm.inputs[0]->rank() != 3 || lstm.outputs.size() < 3)
    throw InputError(path, "the streaming graph's LSTM node " + lstm.node->name() + " gives no final states");
  return lstm;
}

Tensor zeros(const std::vector<int64_t>& shape) {
  return Tensor::filled(ElementType::Float32, shape, 0);
}

// The audio of call k as the graph's input tensor.
Tensor audioChunk(const StreamingInterface& g, const std::vector<float>& samples, long chunk, long hop, long k) {
  Tensor t = zeros(g.audioHasBatch ? std::vector<int64_t>{1, chunk} : std::vector<int64_t>{chunk});
  const long first = k * hop - (chunk - hop);
  for (long j = 0; j < chunk; ++j)
    if (const long at = first + j; at >= 0 && at < static_cast<long>(samples.size()))
      t.values[static_cast<size_t>(j)] = samples[static_cast<size_t>(at)];
  return t;
}

Values firstCallInputs(const StreamingInterface& g, int rate) {
  Values inputs;
  for (const auto& s : g.states) inputs[s.input] = zeros(s.shape);
  if (!g.rate.empty()) inputs[g.rate] = Tensor{ElementType::Int64, {}, {double(rate)}};
  return inputs;
}

void feedStateBack(const StreamingInterface& g, const std::string& path, Values& inputs, const Values& outputs) {
  for (const auto& s : g.states) {
    const Tensor& next = outputs.at(s.output);
    if (next.shape != s.shape)
      throw InputError(path, "the streaming graph returns " + s.output + " of shape " +
                                 onnx_eval::shapeText(next.shape) + ", not the " + onnx_eval::shapeText(s.shape) +
                                 " of " + s.input);
    inputs[s.input] = next;
  }
}

bool close(const Tensor& a, const Tensor& b, double tolerance) {
  if (a.values.size() != b.values.size()) return false;
  for (size_t k = 0; k < a.values.size(); ++k)
    if (std::abs(a.values[k] - b.values[k]) > tolerance * (1 + std::abs(b.values[k]))) return false;
  return true;
}

onnx::TensorProto protoOf(const Tensor& t, const std::string& name) {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : t.shape) p.add_dims(d);
  for (double v : t.values) p.add_float_data(static_cast<float>(v));
  return p;
}

// The LSTM node alone, with the weights the graph computed for it as initializers.
onnx::ModelProto liftedLstm(const LstmNodeCall& lstm, int64_t opset) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(std::max<int64_t>(opset, 7));
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("streaming LSTM");
  onnx::NodeProto& node = *graph.add_node();
  node.set_op_type("LSTM");
  node.set_name(lstm.node->name());
  for (const auto& a : lstm.node->attribute())
    if (a.name() != "layout") *node.add_attribute() = a;  // X is given time-major below
  static const char* kNames[8] = {"X", "W", "R", "B", "", "", "", "P"};
  for (int k = 0; k < 8; ++k) {
    const bool weight = k >= 1 && k <= 3 ? lstm.inputs[size_t(k)].has_value() : k == 7 && lstm.inputs[7].has_value();
    node.add_input(k == 0 || weight ? kNames[k] : "");
    if (weight) *graph.add_initializer() = protoOf(*lstm.inputs[size_t(k)], kNames[k]);
  }
  while (node.input_size() > 0 && node.input(node.input_size() - 1).empty()) node.mutable_input()->RemoveLast();
  node.add_output("Y");
  auto* x = graph.add_input();
  x->set_name("X");
  x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  auto* y = graph.add_output();
  y->set_name("Y");
  y->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  return model;
}

std::string secondsText(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", seconds);
  return text;
}

}  // namespace

namespace {
StreamingInterface interfaceOf(const onnx_eval::OnnxModelFile& file);
}  // namespace

StreamingInterface streamingInterface(const std::string& path) {
  return interfaceOf(onnx_eval::OnnxModelFile::read(path));
}

namespace {

StreamingInterface interfaceOf(const onnx_eval::OnnxModelFile& file) {
  const std::string& path = file.path();
  StreamingInterface g;
  std::vector<DeclaredValue> floats;
  for (const DeclaredValue& in : file.declaredInputs()) {
    if (onnx_eval::isFloating(in.type))
      floats.push_back(in);
    else if (in.ranked && in.shape.empty() && g.rate.empty())
      g.rate = in.name;
    else
      throw InputError(path, "the graph input " + in.name + " is neither audio, an LSTM state nor a sample rate");
  }
  const auto audio = std::find_if(floats.begin(), floats.end(), [](const DeclaredValue& v) {
    return v.ranked && (v.shape.size() == 1 || v.shape.size() == 2);
  });
  if (audio == floats.end()) throw InputError(path, "the graph has no input of audio samples ([batch, samples])");
  g.audio = audio->name;
  g.audioHasBatch = audio->shape.size() == 2;
  g.declaredChunk = std::max<long>(0, audio->shape.back());
  if (g.declaredChunk > kMaxChunk)
    throw InputError(path, "the graph's audio input " + g.audio + " reads " + std::to_string(g.declaredChunk) +
                               " samples per call, more than the " + std::to_string(kMaxChunk) + " LSTMScope runs");
  floats.erase(audio);
  if (floats.empty()) throw InputError(path, "the graph takes no state input, so it is not a streaming graph");
  std::vector<DeclaredValue> outputs = file.declaredOutputs();
  for (const DeclaredValue& state : floats) {
    if (!state.ranked) throw InputError(path, "the graph does not declare the shape of its state input " + state.name);
    // The output it comes back from: of a shape that fits (open dimensions fit any), the one whose name
    // shares the longest start with the input's (h0 → hn, state → stateN), the first of those.
    const auto fits = [&](const DeclaredValue& o) {
      if (!onnx_eval::isFloating(o.type) || !o.ranked || o.shape.size() != state.shape.size()) return false;
      for (size_t k = 0; k < o.shape.size(); ++k)
        if (o.shape[k] > 0 && state.shape[k] > 0 && o.shape[k] != state.shape[k]) return false;
      return true;
    };
    const auto sharedStart = [&](const DeclaredValue& o) {
      const auto [a, b] = std::mismatch(state.name.begin(), state.name.end(), o.name.begin(), o.name.end());
      return a - state.name.begin();
    };
    auto back = outputs.end();
    for (auto it = outputs.begin(); it != outputs.end(); ++it)
      if (fits(*it) && (back == outputs.end() || sharedStart(*it) > sharedStart(*back))) back = it;
    if (back == outputs.end())
      throw InputError(path, "the graph returns no output shaped as its state input " + state.name);
    StreamingInterface::State s{state.name, back->name, {}};
    int open = 0;
    for (int64_t d : state.shape) {
      open += d < 0;
      s.shape.push_back(d < 0 ? 1 : d);  // the open dimension is the batch
    }
    if (open > 1) throw InputError(path, "the graph leaves more than the batch open in its state input " + state.name);
    g.states.push_back(std::move(s));
    outputs.erase(back);
  }
  for (const DeclaredValue& o : outputs) g.outputs.push_back(o.name);
  return g;
}

}  // namespace

namespace {

struct Probe {
  long chunk = 0;
  CallResult first, second;
};

// Two calls on a probe signal, the second with the first's state, at the graph's chunk length, the length
// the user gave, or the first probe length it runs with.
Probe probeGraph(const onnx_eval::OnnxModelFile& file, const StreamingInterface& g, const std::string& path,
                 long givenChunk = 0) {
  std::vector<long> lengths(std::begin(kProbeChunks), std::end(kProbeChunks));
  if (givenChunk > 0) lengths = {givenChunk};
  if (g.declaredChunk > 0) lengths = {g.declaredChunk};
  std::string firstError;
  for (size_t n = 0;; ++n) {
    Probe p;
    p.chunk = lengths[n];
    std::vector<float> signal(static_cast<size_t>(2 * p.chunk));
    for (size_t k = 0; k < signal.size(); ++k) signal[k] = static_cast<float>(0.5 * std::sin(0.05 * double(k)));
    try {
      Values inputs = firstCallInputs(g, kStreamingSampleRate);
      inputs[g.audio] = audioChunk(g, signal, p.chunk, p.chunk, 0);
      p.first = callGraph(file, inputs, true);
      feedStateBack(g, path, inputs, p.first.values);
      inputs[g.audio] = audioChunk(g, signal, p.chunk, p.chunk, 1);
      p.second = callGraph(file, inputs, false);
      return p;
    } catch (const InputError& e) {
      if (n == 0) firstError = e.what();
      if (lengths.size() == 1) throw;
      if (n + 1 == lengths.size()) {
        std::string tried;
        for (long l : lengths) tried += (tried.empty() ? "" : ", ") + std::to_string(l);
        throw InputError(path, "the streaming graph runs with none of the chunk lengths tried (" + tried +
                                   " samples; its audio input leaves the length open). With " +
                                   std::to_string(lengths[0]) + ": " + firstError);
      }
    }
  }
}

}  // namespace

ImportedModel readStreamingOnnx(const std::string& path, const std::string& whyNotWhole, long givenChunk) {
  const auto file = onnx_eval::OnnxModelFile::read(path);  // parsed once, for the interface and the runs
  const StreamingInterface g = interfaceOf(file);
  const Probe probe = probeGraph(file, g, path, givenChunk);
  const CallResult &first = probe.first, &second = probe.second;
  const LstmNodeCall &a = theLstm(first, path), &b = theLstm(second, path);
  // The state the graph returned must be what its LSTM starts from on the next call.
  if (!b.inputs[5] || !b.inputs[6] || !close(*b.inputs[5], a.outputs[1], 1e-6) ||
      !close(*b.inputs[6], a.outputs[2], 1e-6))
    throw InputError(path, "the graph's state inputs do not carry its LSTM (" + a.node->name() +
                               ")'s state from one call to the next, so it cannot be run chunk by chunk");

  ImportedModel imported = mapLstmOnlyOnnx(liftedLstm(a, file.opset()), path);
  (void)StreamingCallCheck(imported.model, path);  // refuses what a run could not check
  std::string states;
  for (const auto& s : g.states) states += (states.empty() ? "" : ", ") + s.input + " → " + s.output;
  std::string outputs;
  for (const auto& o : g.outputs) outputs += (outputs.empty() ? "" : ", ") + o;
  std::string& cut = imported.report.cutOff;
  cut = "the whole model cannot be opened (" + whyNotWhole +
        "). It is a streaming graph: each call reads a chunk of "
        "audio (" +
        g.audio + ") and the LSTM state (" + states + "). Opened its LSTM " + a.node->name() +
        " alone, with the weights the graph computes for it; run it over a WAV file (--wav) to run the whole graph "
        "chunk by chunk and see " +
        (outputs.empty() ? std::string("its outputs") : outputs) +
        " per chunk; without audio the input is the LSTM's input features, " +
        std::to_string(imported.model.arch.inputWidth()) +
        " per step, from a CSV table, the model gives no outputs, and attribution targets are units";
  imported.model.arch.cutOff = cut;
  imported.report.assumptions.insert(imported.report.assumptions.begin(), cut);
  if (!g.rate.empty())
    imported.report.assumptions.push_back("the graph reads the sample rate (" + g.rate + "): opened for " +
                                          std::to_string(kStreamingSampleRate) + " Hz audio");
  imported.report.assumptions.push_back(
      g.declaredChunk > 0
          ? "each call reads " + std::to_string(g.declaredChunk) + " samples, as the graph's " + g.audio + " input says"
          : "the graph's audio input " + g.audio + " leaves the chunk length open; it runs with " +
                std::to_string(probe.chunk) +
                " samples per call, the length used unless --chunk "
                "gives another");
  for (auto& t : imported.report.tensors) t.name += " (computed by the graph)";
  imported.report.format = "ONNX streaming graph (opset " + std::to_string(file.opset()) + ")";
  return imported;
}

StreamingRun runStreamingGraph(const std::string& path, const Model& model, const WavAudio& audio,
                               const std::string& audioName, const StreamingOptions& options,
                               const ProgressCallbacks& progress) {
  const auto file = onnx_eval::OnnxModelFile::read(path);  // parsed once, for the interface and the runs
  const StreamingInterface g = interfaceOf(file);
  StreamingRun run;
  run.chunk = options.chunk > 0 ? options.chunk : probeGraph(file, g, path).chunk;
  if (g.declaredChunk > 0 && run.chunk != g.declaredChunk)
    throw InputError(path, "the graph reads chunks of " + std::to_string(g.declaredChunk) + " samples, not " +
                               std::to_string(run.chunk));
  run.hop = options.hop > 0 ? options.hop : run.chunk;
  if (run.hop > run.chunk)
    throw InputError(path, "the hop (" + std::to_string(run.hop) + " samples) is longer than the chunk (" +
                               std::to_string(run.chunk) + "): samples between chunks would be skipped");
  // A graph that reads the rate was opened for kStreamingSampleRate: other audio is resampled to it, as
  // the model's own Python wrapper asks its users to (docs/IMPORT.md "Streaming graphs").
  run.sampleRate = audio.sampleRate;
  const bool resample = !g.rate.empty() && audio.sampleRate != kStreamingSampleRate;
  if (resample && audio.sampleRate < kMinResampledRate)
    throw InputError(audioName, "the audio is " + std::to_string(audio.sampleRate) +
                                    " Hz; LSTMScope resamples audio of " + std::to_string(kMinResampledRate) +
                                    " Hz or more to the " + std::to_string(kStreamingSampleRate) +
                                    " Hz the graph reads");
  long samples = static_cast<long>(audio.samples.size());
  if (resample) {  // the length it will have, so that the limit is checked before any work
    const ResampleRatio ratio = resampleRatio(audio.sampleRate, kStreamingSampleRate);
    samples = (samples * ratio.up + ratio.down - 1) / ratio.down;
  }
  run.calls = (samples + run.hop - 1) / run.hop;
  if (run.calls > options.maxSteps)
    throw InputError(audioName, "the audio gives " + std::to_string(run.calls) + " calls of the graph (hop " +
                                    std::to_string(run.hop) + " samples), more than the limit of " +
                                    std::to_string(options.maxSteps) + " steps" +
                                    (options.limitAdvice.empty() ? "" : ": " + options.limitAdvice));
  std::vector<float> resampled;
  if (resample) {
    resampled = resampleAudio(audio.samples, audio.sampleRate, kStreamingSampleRate, audioName, kMaxWavSamples);
    run.resampledFrom = audio.sampleRate;
    run.sampleRate = kStreamingSampleRate;
  }
  const std::vector<float>& samplesRun = run.resampledFrom ? resampled : audio.samples;
  samples = static_cast<long>(samplesRun.size());
  run.outputNames = g.outputs;
  run.outputs.assign(g.outputs.size(), std::vector<double>(static_cast<size_t>(run.calls)));

  Values inputs = firstCallInputs(g, run.sampleRate);
  StreamingCallCheck checker(model, path);
  std::vector<Mat<float>> perCall;
  long steps = 0;
  for (long k = 0; k < run.calls; ++k) {
    checkCancelled(progress);
    inputs[g.audio] = audioChunk(g, samplesRun, run.chunk, run.hop, k);
    const CallResult call = callGraph(file, inputs, false);
    const std::string when = "the call at " + secondsText(double(k * run.hop) / run.sampleRate);
    perCall.push_back(checker.check(theLstm(call, path), when));
    steps += perCall.back().cols();
    if (steps > options.maxSteps)
      throw InputError(audioName, "the graph's LSTM runs more than the limit of " + std::to_string(options.maxSteps) +
                                      " steps by " + when +
                                      (options.limitAdvice.empty() ? "" : ": " + options.limitAdvice));
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      const Tensor& value = call.values.at(g.outputs[o]);
      run.outputs[o][static_cast<size_t>(k)] = value.values.empty() ? std::nan("") : value.values.front();
    }
    float peak = 0;
    for (long at = k * run.hop; at < std::min(samples, (k + 1) * run.hop); ++at)
      peak = std::max(peak, std::abs(samplesRun[static_cast<size_t>(at)]));
    run.peaks.push_back(peak);
    feedStateBack(g, path, inputs, call.values);
    if (progress.progress) progress.progress(k + 1, run.calls);
  }
  run.worstStateGap = checker.worstGap();
  run.features.resize(model.arch.inputWidth(), steps);
  long at = 0;
  for (long k = 0; k < run.calls; ++k) {
    const Mat<float>& x = perCall[static_cast<size_t>(k)];
    run.features.middleCols(at, x.cols()) = x;
    run.stepCall.insert(run.stepCall.end(), static_cast<size_t>(x.cols()), k);
    at += x.cols();
  }
  return run;
}

std::vector<std::string> StreamingRun::stepLabels() const {
  std::vector<std::string> labels;
  for (long call : stepCall) labels.push_back(secondsText(double(call * hop) / sampleRate));
  return labels;
}

std::string StreamingRun::describe(const WavAudio& audio) const {
  char text[320];
  const std::string rates = resampledFrom ? std::to_string(resampledFrom) + " Hz, resampled to " +
                                                std::to_string(sampleRate) + " Hz for the graph,"
                                          : std::to_string(sampleRate) + " Hz";
  std::snprintf(text, sizeof text,
                "%.2f s of %s audio at %s in %ld calls of %ld samples (hop %ld); the LSTM recorded over them "
                "ends every call in the graph's own state (within %.1e)",
                audio.seconds(), audio.encoding.c_str(), rates.c_str(), calls, chunk, hop, worstStateGap);
  return text;
}

}  // namespace lstmscope
