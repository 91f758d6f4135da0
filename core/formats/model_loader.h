// One entry point for opening any model file the build supports: the native HDF5 model and every foreign
// format of the table in core/formats/model_formats.h (PyTorch, safetensors, Keras, TF.js, ONNX). The format
// is recognised by content, not by extension (a damaged .onnx file is taken for ONNX by its name).
#pragma once

#include <string>

#include "core/formats/foreign/import_report.h"
#include "core/model/model.h"

namespace lstmscope {

// Opens `path` and, for formats without their own vocabulary, applies `vocabPath` (if given). The report
// lists what each tensor became and what was assumed. Throws InputError naming the file and the problem.
// `useSidecar`: apply the choices remembered in MODEL.lstmscope.json under `choices` (false: `choices` alone,
// as the import dialog, which shows the sidecar's choices itself, needs).
ImportedModel importModel(const std::string& path, const std::string& vocabPath = {}, const ImportChoices& choices = {},
                          bool useSidecar = true);

// True for a file that looks like one of the foreign formats (the app then offers the import dialog).
// Cheap enough for the GUI thread: it only sniffs (sniffModelFormat), never parses the file.
bool isForeignModel(const std::string& path);

// importModel without the report.
Model loadModel(const std::string& path, const std::string& vocabPath = {});

}  // namespace lstmscope
