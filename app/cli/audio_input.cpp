#include "app/cli/audio_input.h"

#include <cctype>

#include "core/common/error.h"
#include "core/formats/foreign/onnx_file.h"
#include "core/formats/foreign/onnx_streaming.h"
#include "core/formats/wav.h"

namespace lstmscope::cli {
namespace {

// A meta track's name from a graph output's ("output", "/model/Sigmoid_output_0" → "model_Sigmoid_output_0").
std::string trackName(const std::string& output) {
  std::string name;
  for (char c : output)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')
      name += c;
    else if (!name.empty() && name.back() != '_')
      name += '_';
  return name.empty() ? "output" : name;
}

}  // namespace

AudioInput readAudioInput(const std::string& modelPath, const Model& model, const InputOptions& input, long maxSteps,
                          const std::string& limitAdvice, const ProgressCallbacks& progress) {
  if (!looksLikeOnnx(modelPath))
    throw InputError(modelPath,
                     "--wav needs a streaming ONNX graph that reads audio (docs/IMPORT.md); this model "
                     "reads " +
                         std::string(model.arch.readsText() ? "text" : "numeric features"));
  const WavAudio audio = readWavFile(input.wavFile, kMaxWavSamples);
  const StreamingRun run = runStreamingGraph(modelPath, model, audio, input.wavFile,
                                             {input.chunk, input.hop, maxSteps, limitAdvice}, progress);
  AudioInput out;
  out.inputs.steps = static_cast<int>(run.features.cols());
  out.inputs.features = run.features;
  out.stepLabels = run.stepLabels();
  for (size_t o = 0; o < run.outputNames.size(); ++o) {
    MetaTrack track;
    track.name = trackName(run.outputNames[o]);
    track.source = "graph output " + run.outputNames[o];
    for (long call : run.stepCall) track.values.push_back(static_cast<float>(run.outputs[o][size_t(call)]));
    out.outputs.push_back(std::move(track));
  }
  MetaTrack waveform;  // what the app draws above the steps, here for any other reader of the trace
  waveform.name = "waveform_peak";
  waveform.source = "audio " + input.wavFile;
  for (long call : run.stepCall) waveform.values.push_back(run.peaks[static_cast<size_t>(call)]);
  out.outputs.push_back(std::move(waveform));
  out.summary = run.describe(audio);
  return out;
}

}  // namespace lstmscope::cli
