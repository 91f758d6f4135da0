// A features model's front end (Architecture::frontEnd) in the native model file: /input/front_end/<k>, one
// group per layer in order, with its kind and numbers in float64 (docs/FORMAT.md).
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "core/model/step_layers.h"

namespace lstmscope {

void writeFrontEnd(hid_t input, const std::vector<StepLayer>& frontEnd);
// Empty when the file has none. Throws InputError naming `file` for an unknown kind or a malformed layer
// (validateModel then checks the widths and values).
std::vector<StepLayer> readFrontEnd(hid_t input, const std::string& file);

}  // namespace lstmscope
