// One entry point for opening any model file the build supports. Today: the native HDF5 model.
#pragma once

#include <string>

#include "core/model/model.h"

namespace lstmscope {

// Opens `path` (format recognised by content, not extension) and, if given, applies a vocabulary file.
// Throws InputError naming the file and the problem.
Model loadModel(const std::string& path, const std::string& vocabPath = {});

}  // namespace lstmscope
