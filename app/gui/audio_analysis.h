// Audio input in the app (docs/APP.md "Audio"): a WAV file run through a streaming ONNX graph chunk by
// chunk (core/formats/foreign/onnx_streaming.h), its LSTM's input features as the steps to record, each step
// labelled with its call's time, the waveform's envelope and each graph output (a speech probability) as
// strips above the heatmap.
#pragma once

#include "app/gui/analysis_runner.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::app {

// Reads `request.audioPath` for `result.model` and adds the strips to `result.metaStrips`. What is wrong
// with the audio or the model for it is a TextInputError (shown in the Text panel, as for text).
EncodedText readAudioForAnalysis(const AnalysisRequest& request, AnalysisResult& result,
                                 const ProgressCallbacks& callbacks);

// "Audio: speech.wav, 60.00 s at 16000 Hz (PCM 16-bit), 576 samples per call, hop 512": what the Text
// panel shows while audio is the input.
QString describeAudioInput(const QString& path, long chunk, long hop);

}  // namespace lstmscope::app
