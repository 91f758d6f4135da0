// Turning user text into engine inputs, with clear errors for bad input (numeric CSV tables: feature_csv.h).
#pragma once

#include <string>
#include <string_view>

#include "core/engine/tape.h"
#include "core/formats/feature_csv.h"
#include "core/model/window_layers.h"

namespace lstmscope {

// Reads a whole file as bytes. Throws InputError if it is missing, unreadable, or larger than maxBytes.
std::string readFileBytes(const std::string& path, size_t maxBytes);

struct EncodedText {
  Inputs<float> inputs;              // batch 1
  std::vector<std::string> surface;  // each token's text
  // A features model with a front end: what the front end reads (the table's features, rawFeatureDim × rows,
  // or one token id per column), each row's or token's text, and the rows each step reads (empty when step t
  // is row t). Attribution goes back to these rows (docs/ATTRIBUTION.md "Through the front end").
  Mat<float> raw;
  std::vector<std::string> rawSurface;
  std::vector<RowSpan> rowsOfStep;
  // A corpus's document that gives no step through the model's front end (too short for its windows): why,
  // naming the document. Empty otherwise.
  std::string noStep;
};

// A parsed table as the model's input, its steps labelled by `column` (FeatureSequence::stepLabels), with its raw
// rows when the model has a front end.
EncodedText encodeTable(const FeatureSequence& table, int column);

// Tokenizes `text` with the model's vocabulary. `maxSteps` guards against inputs whose recording would
// not fit anywhere; the error ends with `limitAdvice` (how the caller's user raises it), if any. What is
// wrong with the text itself is a TextInputError (with the unknown tokens' places); a model that reads no
// text is an InputError.
// `allowEmpty`: a text without tokens, or with too few for the windows of the model's front end, gives an
// empty input instead of an error (a corpus document; `noStep` says why in the second case).
EncodedText encodeText(const Architecture& arch, std::string_view text, const std::string& sourceName, long maxSteps,
                       const std::string& limitAdvice = {}, bool allowEmpty = false);

// The same for a text file, read a megabyte at a time and tokenized as it arrives: a file longer than
// `maxSteps` tokens is refused as soon as the limit is passed, so neither time nor memory grows with the
// rest of the file (a 50 MB text used to take 4 GB before the limit refused it).
EncodedText encodeTextFile(const Architecture& arch, const std::string& path, long maxSteps,
                           const std::string& limitAdvice = {}, bool allowEmpty = false);

}  // namespace lstmscope
