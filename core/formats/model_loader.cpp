#include "core/formats/model_loader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "core/common/error.h"
#include "core/common/input_file.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/model_formats.h"
#include "core/formats/native_model.h"
#include "core/formats/wav.h"

namespace lstmscope {

namespace {

// What no format claimed but is easy to name: an unreadable file (which "not an HDF5 file" hid) and a
// plain pickle (pickle.dump of a state dict, not torch.save).
void explainUnclaimedFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, std::string("cannot be read: ") + std::strerror(errno));
  char start[12] = {};
  in.read(start, sizeof start);
  const std::string_view head(start, static_cast<size_t>(in.gcount()));
  if (looksLikeWav(std::string(head)))
    throw InputError(path,
                     "is a WAV audio file, not a model: give it as the input of a streaming ONNX graph "
                     "(lstmscope-cli record --wav, or open it in the app with such a model open)");
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x80 && head[1] >= 2 && head[1] <= 5)
    throw InputError(path,
                     "is a plain Python pickle, not a PyTorch checkpoint: LSTMScope reads what torch.save "
                     "writes (a zip archive, or the legacy format); save the state dict with torch.save");
}

// A repository's large file left as its Git LFS pointer (a clone without git-lfs) is named as such, whatever
// its extension claims.
void refuseGitLfsPointer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char start[48] = {};
  in.read(start, sizeof start);
  if (std::string_view(start, static_cast<size_t>(in.gcount())).starts_with("version https://git-lfs.github.com/spec/"))
    throw InputError(path,
                     "is a Git LFS pointer, not the model itself: fetch the file (git lfs pull, or the "
                     "repository's download link)");
}

ImportedModel readAs(const ModelFormat* format, const std::string& path, const std::string& vocabPath,
                     const ImportChoices& choices) {
  if (format) return format->read(path, vocabPath, choices);
  explainUnclaimedFile(path);
  // Not a format we know: the native loader says precisely what is wrong (missing, truncated, not HDF5,
  // HDF5 but not a model).
  return {loadNativeModel(path), {"LSTMScope model", {}, {}, {}}};
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
  refuseGitLfsPointer(path);
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
