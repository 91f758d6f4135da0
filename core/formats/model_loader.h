// One entry point for opening any model file the build supports: the native HDF5 model, PyTorch
// checkpoints (.pt/.pth, zip and legacy) and safetensors. The format is recognised by content, not by
// extension.
#pragma once

#include <string>

#include "core/formats/foreign/import_report.h"
#include "core/model/model.h"

namespace lstmscope {

// Opens `path` and, for formats without their own vocabulary, applies `vocabPath` (if given). The report
// lists what each tensor became and what was assumed. Throws InputError naming the file and the problem.
ImportedModel importModel(const std::string& path, const std::string& vocabPath = {},
                          const ImportChoices& choices = {});

// importModel without the report.
Model loadModel(const std::string& path, const std::string& vocabPath = {});

}  // namespace lstmscope
