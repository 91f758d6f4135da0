// What each fuzz target does with one input, shared by the libFuzzer binaries (tests/fuzz/fuzz_*.cpp) and
// the replay of their findings in the normal test suite (tests/foreign/fuzz_regressions_test.cpp). Each
// hands the input to a reader, which must accept it or throw InputError; anything else (a crash, a
// sanitizer report, another exception) is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "core/common/error.h"
#include "core/formats/foreign/keras_layers.h"
#include "core/formats/foreign/keras_mapping.h"
#include "core/formats/foreign/pickle.h"
#include "core/formats/feature_csv.h"
#include "core/formats/foreign/vocabulary_file.h"
#include "core/formats/model_loader.h"

namespace lstmscope::fuzz {

// Readers take paths: the input goes to a per-process file with `suffix`.
inline std::string writeInput(const uint8_t* data, size_t size, const std::string& suffix) {
  const std::string path = "/tmp/lstmscope_fuzz_" + std::to_string(getpid()) + suffix;
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
          v->storage = {"0", "float32", 4};
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

}  // namespace lstmscope::fuzz
