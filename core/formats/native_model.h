// The native model file (docs/FORMAT.md, "Model file"): read, validate, write.
#pragma once

#include <string>

#include "core/model/model.h"

namespace lstmscope {

// True if `path` is an HDF5 file whose root says lstmscope_format = "model".
bool isNativeModelFile(const std::string& path);

// Loads and validates a native model. Throws InputError naming the file and the problem.
Model loadNativeModel(const std::string& path);

// Writes `model` to `path` atomically: a temporary file next to it, renamed when complete.
void saveNativeModel(const Model& model, const std::string& path);

}  // namespace lstmscope
