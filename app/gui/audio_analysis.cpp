#include "app/gui/audio_analysis.h"

#include <QFileInfo>
#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/formats/foreign/onnx_file.h"
#include "core/formats/foreign/onnx_streaming.h"
#include "core/formats/wav.h"

namespace lstmscope::app {
namespace {

constexpr long kMaxAudioSteps = 5'000'000;  // as for a text (analysis_runner.cpp); the CLI records longer audio

viz::MetaStrip outputStrip(const std::string& name, const std::vector<double>& perCall, const StreamingRun& run) {
  viz::MetaStrip strip;
  strip.style.name = QString::fromStdString(name);
  for (long call : run.stepCall) strip.values.push_back(static_cast<float>(perCall[static_cast<size_t>(call)]));
  const auto [low, high] = std::minmax_element(strip.values.begin(), strip.values.end());
  // A probability keeps its own scale, so that 0.9 looks the same in every file.
  const bool probability = *low >= 0 && *high <= 1;
  strip.style.low = probability ? 0 : *low;
  strip.style.high = probability ? 1 : *high;
  return strip;
}

}  // namespace

EncodedText readAudioForAnalysis(const AnalysisRequest& request, AnalysisResult& result,
                                 const ProgressCallbacks& callbacks) {
  const std::string modelPath = request.modelPath.toStdString(), audioPath = request.audioPath.toStdString();
  try {
    if (modelPath.empty() || !looksLikeOnnx(modelPath))
      throw InputError(audioPath,
                       "audio is read by streaming ONNX graphs (voice-activity models: audio and the "
                       "LSTM state in, the state out); this model reads " +
                           std::string(result.model->arch.readsText() ? "text" : "numeric features"));
    const WavAudio audio = readWavFile(audioPath, kMaxWavSamples);
    const StreamingRun run = runStreamingGraph(
        modelPath, *result.model, audio, audioPath,
        {request.audioChunk, request.audioHop, kMaxAudioSteps, "lstmscope-cli record --wav takes longer audio"},
        callbacks);
    EncodedText encoded;
    encoded.inputs.steps = static_cast<int>(run.features.cols());
    encoded.inputs.features = run.features;
    encoded.surface = run.stepLabels();
    viz::MetaStrip waveform;
    waveform.style.name = QObject::tr("waveform");
    waveform.style.envelope = true;
    for (long call : run.stepCall) waveform.values.push_back(run.peaks[static_cast<size_t>(call)]);
    waveform.style.high = std::max(1e-6f, *std::max_element(waveform.values.begin(), waveform.values.end()));
    result.metaStrips.push_back(std::move(waveform));
    for (size_t o = 0; o < run.outputNames.size(); ++o) {
      result.metaStrips.push_back(outputStrip(run.outputNames[o], run.outputs[o], run));
      result.graphOutputs << QString::fromStdString(run.outputNames[o]);
    }
    result.inputNotes << QString::fromStdString(run.describe(audio));
    return encoded;
  } catch (const TextInputError&) {
    throw;
  } catch (const InputError& e) {
    throw TextInputError("", e.what());
  }
}

QString describeAudioInput(const QString& path, long chunk, long hop) {
  QString text = QObject::tr("Audio: %1").arg(QFileInfo(path).fileName());
  if (chunk > 0) text += QObject::tr(", %1 samples per call").arg(chunk);
  if (hop > 0) text += QObject::tr(", hop %1").arg(hop);
  return text + QObject::tr(
                    "\n\nThe model's graph runs over the audio chunk by chunk; the heatmap's steps are its calls, "
                    "labelled with their time. Open a text or CSV file, or type here, to read something else.");
}

}  // namespace lstmscope::app
