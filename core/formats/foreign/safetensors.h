// The safetensors format (Hugging Face): u64 little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}, then the data. Plain data,
// nothing to execute; every offset and shape is checked against the file.
#pragma once

#include <string>

#include "core/formats/foreign/tensor_set.h"

namespace lstmscope {

// Throws InputError naming `path` and the tensor or header field that is wrong.
TensorSet readSafetensors(const std::string& path);

// True when the first 8 bytes are a plausible header length followed by '{'.
bool looksLikeSafetensors(const std::string& path);

}  // namespace lstmscope
