// What each fuzz target does with one input, shared by the libFuzzer binaries (tests/fuzz/fuzz_*.cpp) and
// the replay of their findings in the normal test suite (tests/foreign/fuzz_regressions_test.cpp). Each
// hands the input to a reader, which must accept it or throw InputError; anything else (a crash, a
// sanitizer report, another exception) is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "core/common/error.h"
#include "core/formats/audio_resample.h"
#include "core/formats/feature_csv.h"
#include "core/formats/foreign/keras_layers.h"
#include "core/formats/foreign/keras_mapping.h"
#include "core/formats/foreign/onnx_eval/onnx_model_file.h"
#include "core/formats/foreign/pickle.h"
#include "core/formats/foreign/vocabulary_file.h"
#include "core/formats/model_loader.h"
#include "core/formats/trace_file.h"
#include "core/formats/wav.h"

namespace lstmscope::fuzz {

// Readers take paths: the input goes to a per-process file with `suffix`.
// The files go when the process ends (the replaying tests must leave nothing behind).
inline std::string writeInput(const uint8_t* data, size_t size, const std::string& suffix) {
  const std::string path = "/tmp/lstmscope_fuzz_" + std::to_string(getpid()) + suffix;
  static struct RemovedAtExit {
    std::set<std::string> paths;
    ~RemovedAtExit() {
      for (const std::string& p : paths) std::remove(p.c_str());
    }
  } written;
  written.paths.insert(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// The weights-only unpickler; persistent ids become storages as PyTorch's do.
inline void pickleTarget(const uint8_t* data, size_t size) {
  try {
    size_t offset = 0;
    pickle::load(
        data, size, offset,
        [](const pickle::Value&) {
          auto v = std::make_shared<pickle::Value>();
          v->kind = pickle::Value::Kind::Storage;
          v->tensor = std::make_shared<pickle::TensorRef>();
          v->tensor->storage = {"0", "float32", 4};
          return v;
        },
        "fuzz");
  } catch (const InputError&) {
  }
}

inline void vocabularyTarget(const uint8_t* data, size_t size) {
  try {
    const LoadedVocabulary v = readVocabularyFile(writeInput(data, size, ".vocab"));
    (void)fitVocabulary(v, 12, "fuzz");
  } catch (const InputError&) {
  }
}

// Keras model configs through the mapping, with small weights invented from each layer's name.
inline void kerasConfigTarget(const uint8_t* data, size_t size) {
  try {
    KerasModelFile file;
    file.hasArchitecture = true;
    file.layers =
        kerasLayersFromConfig(parseKerasJson(std::string(reinterpret_cast<const char*>(data), size), "fuzz"), "fuzz");
    for (KerasLayer& l : file.layers)
      for (size_t k = 0; k < l.name.size() % 4; ++k) {
        const auto rows = static_cast<int64_t>(l.name.size() % 5 + 1), cols = static_cast<int64_t>(k + 1);
        l.weights.push_back({"w", {rows, cols}, std::vector<float>(static_cast<size_t>(rows * cols), 0.5f)});
      }
    (void)mapKerasModel(file, {}, std::nullopt, "fuzz");
  } catch (const InputError&) {
  }
}

// A numeric CSV table for a model of three features, and every way of labelling its steps.
inline void csvTarget(const uint8_t* data, size_t size) {
  Architecture arch;
  arch.inputKind = InputKind::Features;
  arch.featureDim = 3;
  try {
    const FeatureSequence table =
        parseFeatureCsv(arch, std::string(reinterpret_cast<const char*>(data), size), "fuzz", 100000);
    for (int c = -1; c < static_cast<int>(table.labelChoices().size()); ++c) (void)table.stepLabels(c);
  } catch (const InputError&) {
  }
}

// A WAV file's bytes, up to a million samples.
inline void wavTarget(const uint8_t* data, size_t size) {
  try {
    const WavAudio audio = parseWav(std::string(reinterpret_cast<const char*>(data), size), "fuzz", 1000000);
    // A streaming graph that reads the rate resamples to 16 kHz: any rate the header gives, bounded output.
    (void)resampleAudio(audio.samples, audio.sampleRate, 16000, "fuzz", 4000000);
  } catch (const InputError&) {
  }
}

// One model format through the whole import: detection, parsing, mapping. `format`: torch, safetensors,
// onnx, tfjs, keras (the .keras archive) or h5 (Keras' legacy HDF5 files and LSTMScope's own).
inline void modelFileTarget(const std::string& format, const uint8_t* data, size_t size) {
  const std::string suffix = format == "torch"         ? ".pt"
                             : format == "safetensors" ? ".safetensors"
                             : format == "onnx"        ? ".onnx"
                             : format == "keras"       ? ".keras"
                             : format == "h5"          ? ".h5"
                                                       : ".json";
  try {
    (void)importModel(writeInput(data, size, suffix));
  } catch (const InputError&) {
  }
}

// An ONNX graph through the operator evaluator, on inputs shaped as it declares them (open dimensions 3
// long): every node its outputs need runs, or the graph is refused by name.
inline void onnxGraphTarget(const uint8_t* data, size_t size) {
  try {
    const onnx_eval::OnnxModelFile model = onnx_eval::OnnxModelFile::read(writeInput(data, size, ".onnx"));
    (void)model.run(model.exampleInputs(3));
  } catch (const InputError&) {
  }
}

// A trace file: opened, and every quantity, the tokens, their text and the head's outputs read back.
inline void traceFileTarget(const uint8_t* data, size_t size) {
  try {
    const TraceReader trace(writeInput(data, size, ".h5"));
    for (int l = 0; l < trace.layers(); ++l)
      for (int d = 0; d < trace.directions(l); ++d)
        for (int q = 0; q <= static_cast<int>(Quantity::PreO); ++q)
          if (trace.has(l, d, Quantity(q))) (void)trace.read(l, d, Quantity(q), 0, trace.steps());
    (void)trace.tokens(), (void)trace.tokenText(), (void)describeTrace(trace);
    if (trace.hasOutputs()) (void)trace.logits(), (void)trace.probs();
  } catch (const InputError&) {
  }
}

}  // namespace lstmscope::fuzz
