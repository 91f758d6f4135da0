// The sidecar that remembers a user's import choices next to a foreign model (MODEL.lstmscope.json), so
// the next open needs no questions. It holds only choices (task, head, embedding tensor, vocabulary file
// and its tokenization), never weights.
#pragma once

#include <string>

#include "core/formats/foreign/import_report.h"

namespace lstmscope {

struct SavedImport {
  ImportChoices choices;
  std::string vocabPath;  // absolute, or relative to the sidecar's directory in the file; "" = none
};

std::string sidecarPath(const std::string& modelPath);

// Reads the sidecar at `path`. Throws InputError naming it and the field for malformed content.
SavedImport readSidecar(const std::string& path);
// Writes atomically (temporary file, then rename).
void writeSidecar(const SavedImport& saved, const std::string& path);

// `over` wins wherever it says something.
ImportChoices mergeChoices(const ImportChoices& base, const ImportChoices& over);

}  // namespace lstmscope
