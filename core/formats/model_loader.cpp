#include "core/formats/model_loader.h"

#include <filesystem>

#include "core/common/error.h"
#include "core/formats/foreign/import_choices_file.h"
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

std::optional<LoadedVocabulary> vocabularyFor(const std::string& vocabPath, const ImportChoices& choices) {
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

ImportedModel fromTensors(const TensorSet& tensors, const std::string& format, const std::string& path,
                          const std::string& vocabPath, const ImportChoices& choices) {
  const auto vocab = vocabularyFor(vocabPath, choices);
  ImportedModel imported = mapStateDict(tensors, choices, vocab, path);
  imported.report.format = format;
  noteVocabulary(imported.report, vocab);
  return imported;
}

ImportedModel importForeign(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  if (looksLikeKerasH5(path)) return fromKeras(readKerasH5(path), path, vocabPath, choices);
  if (looksLikeKeras3Weights(path)) return fromKeras(readKeras3Weights(path), path, vocabPath, choices);
  if (looksLikeKerasArchive(path)) return fromKeras(readKerasArchive(path), path, vocabPath, choices);
  if (looksLikeTfjsModel(path)) {
    ImportedModel imported = fromKeras(readTfjsModel(path), path, vocabPath, choices);
    // Every TF.js model is a model.json: its directory names it.
    imported.model.arch.name = std::filesystem::absolute(path).parent_path().filename().string();
    return imported;
  }
  if (isTorchZip(path)) return fromTensors(readTorchFile(path), "PyTorch checkpoint (zip)", path, vocabPath, choices);
  if (looksLikeLegacyTorchFile(path))
    return fromTensors(readTorchFile(path), "PyTorch checkpoint (legacy)", path, vocabPath, choices);
  if (looksLikeSafetensors(path)) return fromTensors(readSafetensors(path), "safetensors", path, vocabPath, choices);
  // By name first: detecting ONNX by content parses the whole protobuf, which readOnnx then does again.
  // The name also makes a damaged .onnx file's error say ONNX.
  if (path.ends_with(".onnx") || looksLikeOnnx(path)) {
    const auto vocab = vocabularyFor(vocabPath, choices);
    ImportedModel imported = readOnnx(path, choices, vocab);
    noteVocabulary(imported.report, vocab);
    return imported;
  }
  // Not a foreign format we know: the native loader says precisely what is wrong (missing, truncated, not
  // HDF5, HDF5 but not a model).
  return {loadNativeModel(path), {"LSTMScope model", {}, {}}};
}

}  // namespace

// Cheap checks only: the app asks this on the GUI thread (drops, File > Open), so ONNX is recognised by its
// extension here rather than by parsing the whole file.
bool isForeignModel(const std::string& path) {
  return looksLikeKerasH5(path) || looksLikeKeras3Weights(path) || looksLikeKerasArchive(path) || isTorchZip(path) ||
         looksLikeLegacyTorchFile(path) || looksLikeSafetensors(path) || path.ends_with(".onnx") ||
         looksLikeTfjsModel(path);
}

// Foreign formats pick up the choices remembered in the model's sidecar; what the caller passes wins.

ImportedModel importModel(const std::string& path, const std::string& givenVocab, const ImportChoices& given,
                          bool useSidecar) {
  if (!h5::lstmscopeFormatOf(path).empty()) {  // ours (a trace file gets the native loader's message)
    if (!givenVocab.empty())
      throw InputError(givenVocab, "native model files carry their own vocabulary; --vocab is for formats without one");
    return {loadNativeModel(path), {"LSTMScope model", {}, {}}};
  }
  std::error_code ec;
  const std::string sidecar = sidecarPath(path);
  if (!useSidecar || !std::filesystem::exists(sidecar, ec)) return importForeign(path, givenVocab, given);
  const SavedImport saved = readSidecar(sidecar);
  ImportedModel imported =
      importForeign(path, givenVocab.empty() ? saved.vocabPath : givenVocab, mergeChoices(saved.choices, given));
  imported.report.assumptions.insert(imported.report.assumptions.begin(), "choices remembered in " + sidecar);
  return imported;
}

Model loadModel(const std::string& path, const std::string& vocabPath) {
  return importModel(path, vocabPath).model;
}

}  // namespace lstmscope
