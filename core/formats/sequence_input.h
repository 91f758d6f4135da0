// Turning user text into engine inputs, with clear errors for bad input (numeric CSV tables: feature_csv.h).
#pragma once

#include <string>

#include "core/engine/tape.h"

namespace lstmscope {

// Reads a whole file as bytes. Throws InputError if it is missing, unreadable, or larger than maxBytes.
std::string readFileBytes(const std::string& path, size_t maxBytes);

struct EncodedText {
  Inputs<float> inputs;              // batch 1
  std::vector<std::string> surface;  // each token's text
};

// Tokenizes `text` with the model's vocabulary. `maxSteps` guards against inputs whose recording would
// not fit anywhere; the error says how to raise it. What is wrong with the text itself is a TextInputError
// (with the unknown tokens' places); a model that reads no text is an InputError.
EncodedText encodeText(const Architecture& arch, const std::string& text, const std::string& sourceName, long maxSteps);

}  // namespace lstmscope
