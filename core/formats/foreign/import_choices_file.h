// The sidecar that remembers a user's import choices next to a foreign model (MODEL.lstmscope.json), so
// the next open needs no questions. It holds only choices (task, head, embedding tensor, vocabulary file
// or typed tokens and their tokenization), never weights. The same JSON text is what the app keeps in its
// settings (savedImportJson / parseSavedImport), where the app remembers choices instead of writing beside
// someone else's model.
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

// The sidecar's JSON text. `baseDirectory`: a vocabulary file beside or below it is written relative to it
// (and read back against it); "" keeps every path absolute. parseSavedImport throws InputError naming
// `source` and the field for malformed content.
std::string savedImportJson(const SavedImport& saved, const std::string& baseDirectory);
SavedImport parseSavedImport(const std::string& text, const std::string& source, const std::string& baseDirectory);

// `over` wins wherever it says something.
ImportChoices mergeChoices(const ImportChoices& base, const ImportChoices& over);

}  // namespace lstmscope
