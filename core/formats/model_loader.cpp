#include "core/formats/model_loader.h"

#include <filesystem>

#include "core/common/input_file.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/model_formats.h"
#include "core/formats/native_model.h"

namespace lstmscope {

namespace {

ImportedModel readAs(const ModelFormat* format, const std::string& path, const std::string& vocabPath,
                     const ImportChoices& choices) {
  if (format) return format->read(path, vocabPath, choices);
  // Not a format we know: the native loader says precisely what is wrong (missing, truncated, not HDF5,
  // HDF5 but not a model).
  return {loadNativeModel(path), {"LSTMScope model", {}, {}}};
}

}  // namespace

bool isForeignModel(const std::string& path) {
  const ModelFormat* format = sniffModelFormat(path);
  return format && format->foreign;
}

// Foreign formats pick up the choices remembered in the model's sidecar; what the caller passes wins.
ImportedModel importModel(const std::string& path, const std::string& givenVocab, const ImportChoices& given,
                          bool useSidecar) {
  requireRegularFile(path);
  if (!givenVocab.empty()) requireRegularFile(givenVocab);
  const ModelFormat* format = sniffModelFormat(path);
  if (format && !format->foreign) return format->read(path, givenVocab, given);  // ours: no sidecar
  std::error_code ec;
  const std::string sidecar = sidecarPath(path);
  if (!useSidecar || !std::filesystem::exists(sidecar, ec)) return readAs(format, path, givenVocab, given);
  const SavedImport saved = readSidecar(sidecar);
  ImportedModel imported =
      readAs(format, path, givenVocab.empty() ? saved.vocabPath : givenVocab, mergeChoices(saved.choices, given));
  imported.report.assumptions.insert(imported.report.assumptions.begin(), "choices remembered in " + sidecar);
  return imported;
}

Model loadModel(const std::string& path, const std::string& vocabPath) {
  return importModel(path, vocabPath).model;
}

}  // namespace lstmscope
