// The model formats LSTMScope opens, as one table: each entry names a format, recognises its files by a
// cheap sniff and reads them. Every caller walks the table (importModel reads a file with the first entry
// whose sniff claims it; isForeignModel asks whether a foreign entry claims it), so a format is one entry.
//
// Sniffs run on the GUI thread (drops, File > Open), so each reads a small, bounded part of the file: a
// few magic bytes, a fixed prefix, or a container's own directory (the root group of an HDF5 file, the
// central directory of a zip), never a whole file, a dataset or a zip entry. A sniff never throws; a file
// it claims that turns out damaged is the reader's to explain.
//
// Adding a format:
//  1. Write its reader and a bounded looksLike<Format>(path) in core/formats/foreign/<format>_file.{h,cpp}.
//     A reader returns a TensorSet (state-dict formats, mapped by mapStateDict), a KerasModelFile (mapped by
//     mapKerasModel) or a whole ImportedModel, and throws InputError naming the file and the problem.
//  2. Add one entry to the table in core/formats/model_formats.cpp, ahead of any entry that would also
//     claim its files (the first claiming entry reads a file).
//  3. Add its fixtures to tests/foreign/model_formats_test.cpp, which checks that exactly one entry claims
//     each format's fixtures, and its reader's tests under tests/foreign/.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/formats/foreign/import_report.h"

namespace lstmscope {

struct ModelFormat {
  std::string_view name;  // "safetensors", "ONNX", …; tensor formats also report it as the import's format
  bool foreign;           // false only for LSTMScope's own files, which take no --vocab and no sidecar choices
  // True if `path` looks like this format; cheap and never throws (see above).
  bool (*sniff)(const std::string& path);
  // Reads `path`, applying `vocabPath` (if not empty) and `choices`. Throws InputError naming the file and
  // the problem.
  ImportedModel (*read)(const std::string& path, const std::string& vocabPath, const ImportChoices& choices);
};

// Every format, in the order they are tried.
std::span<const ModelFormat> modelFormats();

// The first format whose sniff claims `path`, or nullptr. Cheap enough for the GUI thread.
const ModelFormat* sniffModelFormat(const std::string& path);

}  // namespace lstmscope
