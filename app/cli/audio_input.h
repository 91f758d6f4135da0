// A WAV file for a streaming ONNX graph (record --wav, docs/CLI.md "Audio"): the graph run chunk by chunk
// over the audio, its LSTM's input features as the steps, each step labelled with its call's time, and
// each of the graph's other outputs (a speech probability) as a meta track.
#pragma once

#include <string>
#include <vector>

#include "app/cli/command_options.h"
#include "core/formats/trace_meta.h"

namespace lstmscope::cli {

struct AudioInput {
  Inputs<float> inputs;
  std::vector<std::string> stepLabels;  // "0.032 s": the time the step's call starts reading new samples
  std::vector<MetaTrack> outputs;       // one per graph output, named after it, then the audio's peak (waveform_peak)
  std::string summary;                  // for the command's closing line
};

// Throws InputError for a bad WAV file, a model that is not a streaming ONNX graph, more than `maxSteps`
// calls or steps (the message ends with `limitAdvice`), or anything the streaming run refuses
// (core/formats/foreign/onnx_streaming.h).
AudioInput readAudioInput(const std::string& modelPath, const Model& model, const InputOptions& input, long maxSteps,
                          const std::string& limitAdvice, const ProgressCallbacks& progress);

}  // namespace lstmscope::cli
