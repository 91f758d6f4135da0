#include "core/formats/model_formats.h"

#include <filesystem>
#include <optional>

#include "core/common/error.h"
#include "core/formats/foreign/keras3_file.h"
#include "core/formats/foreign/keras_h5.h"
#include "core/formats/foreign/keras_mapping.h"
#include "core/formats/foreign/onnx_file.h"
#include "core/formats/foreign/safetensors.h"
#include "core/formats/foreign/state_dict_mapping.h"
#include "core/formats/foreign/tfjs_file.h"
#include "core/formats/foreign/torch_file.h"
#include "core/formats/foreign/zip_archive.h"
#include "core/formats/hdf5.h"
#include "core/formats/native_model.h"

namespace lstmscope {

namespace {

// LSTMScope's own HDF5 files, models and traces alike: a trace opened as a model gets the native
// loader's message saying what it is.
bool isLstmscopeFile(const std::string& path) {
  return !h5::lstmscopeFormatOf(path).empty();
}

// Reads only the zip's central directory.
bool isTorchZip(const std::string& path) {
  if (!ZipArchive::looksLikeZip(path)) return false;
  try {
    const ZipArchive zip(path);
    for (const auto& name : zip.entries())
      if (name == "data.pkl" || name.ends_with("/data.pkl")) return true;
  } catch (const InputError&) {
    // A damaged zip: let the PyTorch reader (which it most likely is) explain it.
    return true;
  }
  return false;
}

// By name first: the name makes a damaged .onnx file's error say ONNX.
bool isOnnx(const std::string& path) {
  return path.ends_with(".onnx") || looksLikeOnnx(path);
}

// Typed tokens replace a vocabulary file (the report says so when both were given).
std::optional<LoadedVocabulary> vocabularyFor(const std::string& vocabPath, const ImportChoices& choices) {
  if (choices.vocabularyTokens) {
    LoadedVocabulary typed = typedVocabulary(*choices.vocabularyTokens, choices.vocabulary);
    if (!vocabPath.empty()) typed.guesses.insert(typed.guesses.begin(), "the typed tokens are used, not " + vocabPath);
    return typed;
  }
  if (vocabPath.empty()) return std::nullopt;
  return readVocabularyFile(vocabPath, choices.vocabulary);
}

void noteVocabulary(ImportReport& report, const std::optional<LoadedVocabulary>& vocab) {
  if (!vocab) return;
  report.format += ", vocabulary " + vocab->format;
  for (const auto& g : vocab->guesses) report.assumptions.push_back(g);
}

ImportedModel fromKeras(const KerasModelFile& file, const std::string& path, const std::string& vocabPath,
                        const ImportChoices& choices) {
  const auto vocab = vocabularyFor(vocabPath, choices);
  ImportedModel imported = mapKerasModel(file, choices, vocab, path);
  noteVocabulary(imported.report, vocab ? vocab : file.vocabulary);
  return imported;
}

ImportedModel fromTensors(const TensorSet& tensors, std::string_view format, const std::string& path,
                          const std::string& vocabPath, const ImportChoices& choices) {
  const auto vocab = vocabularyFor(vocabPath, choices);
  ImportedModel imported = mapStateDict(tensors, choices, vocab, path);
  imported.report.format = format;
  noteVocabulary(imported.report, vocab);
  return imported;
}

ImportedModel readNative(const std::string& path, const std::string& vocabPath, const ImportChoices&) {
  if (!vocabPath.empty())
    throw InputError(vocabPath, "native model files carry their own vocabulary; --vocab is for formats without one");
  return {loadNativeModel(path), {"LSTMScope model", {}, {}, {}}};
}

ImportedModel readKerasHdf5(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  return fromKeras(readKerasH5(path), path, vocabPath, choices);
}

ImportedModel readKeras3WeightsFile(const std::string& path, const std::string& vocabPath,
                                    const ImportChoices& choices) {
  return fromKeras(readKeras3Weights(path), path, vocabPath, choices);
}

ImportedModel readKeras3Archive(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  return fromKeras(readKerasArchive(path), path, vocabPath, choices);
}

ImportedModel readTfjs(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  ImportedModel imported = fromKeras(readTfjsModel(path), path, vocabPath, choices);
  // Every TF.js model is a model.json: its directory names it.
  imported.model.arch.name = std::filesystem::absolute(path).parent_path().filename().string();
  return imported;
}

constexpr std::string_view kTorchZip = "PyTorch checkpoint (zip)", kTorchLegacy = "PyTorch checkpoint (legacy)",
                           kSafetensors = "safetensors";

ImportedModel readTorchZip(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  return fromTensors(readTorchFile(path), kTorchZip, path, vocabPath, choices);
}

ImportedModel readTorchLegacy(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  return fromTensors(readTorchFile(path), kTorchLegacy, path, vocabPath, choices);
}

ImportedModel readSafetensorsFile(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  return fromTensors(readSafetensors(path), kSafetensors, path, vocabPath, choices);
}

ImportedModel readOnnxFile(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  const auto vocab = vocabularyFor(vocabPath, choices);
  ImportedModel imported = readOnnx(path, choices, vocab);
  noteVocabulary(imported.report, vocab);
  return imported;
}

// Keras 3 weights files are HDF5 with a top-level "layers" group, and so are LSTMScope's traces.
bool isKeras3Weights(const std::string& path) {
  return looksLikeKeras3Weights(path) && !isLstmscopeFile(path);
}

// The order is the order of the checks: LSTMScope's own files first, then each foreign format.
constexpr ModelFormat kFormats[] = {
    {"LSTMScope model", false, isLstmscopeFile, readNative},
    {"Keras HDF5", true, looksLikeKerasH5, readKerasHdf5},
    {"Keras 3 weights (.weights.h5)", true, isKeras3Weights, readKeras3WeightsFile},
    {"Keras 3 archive (.keras)", true, looksLikeKerasArchive, readKeras3Archive},
    {"TensorFlow.js layers model", true, looksLikeTfjsModel, readTfjs},
    {kTorchZip, true, isTorchZip, readTorchZip},
    {kTorchLegacy, true, looksLikeLegacyTorchFile, readTorchLegacy},
    {kSafetensors, true, looksLikeSafetensors, readSafetensorsFile},
    {"ONNX", true, isOnnx, readOnnxFile},
};

}  // namespace

std::span<const ModelFormat> modelFormats() {
  return kFormats;
}

const ModelFormat* sniffModelFormat(const std::string& path) {
  // A sniff opens the file: a FIFO would block it forever (the readers then say what the path is).
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
  for (const ModelFormat& format : kFormats)
    if (format.sniff(path)) return &format;
  return nullptr;
}

}  // namespace lstmscope
