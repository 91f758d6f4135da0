// A model's raw input through its front end (Architecture::frontEnd), as the table reader and the text encoder
// both need it: an input too short for the windows refused by name, the LSTM's features, the rows or tokens each
// of its steps reads, and a Flatten head's step count checked.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/model/window_layers.h"

namespace lstmscope {

struct FrontEndRun {
  Mat<float> features;         // (featureDim, steps): what the first LSTM reads
  std::vector<RowSpan> spans;  // the rows (tokens) each step reads; empty when step t is row t
  // An encoder–decoder's steps are the decoder's, each reading the whole input: named "out 1", "out 2", …
  // rather than by the rows they read (empty otherwise).
  std::vector<std::string> stepNames;
  std::string noStep;  // why the input gives no step, when the caller takes that (a corpus document)
};

// How many steps the front end may give (an encoder–decoder's repeats come from the model, not the input's
// length), and how the caller's user raises the limit.
struct StepLimit {
  long maxSteps = std::numeric_limits<long>::max();
  std::string advice;
};

// `raw`: the table's features (rawFeatureDim × rows), or one token id per column for a front end that reads
// text. Throws InputError naming `source` (TextInputError for text) for too short an input or one that gives
// no step or another count than a Flatten head reads. With `noStepAllowed` (a corpus's documents, where one
// short document must not stop the rest) an input too short for the windows gives no step instead, and
// `noStep` says why.
FrontEndRun runFrontEnd(const Architecture& arch, const Eigen::MatrixXd& raw, const std::string& source,
                        bool noStepAllowed = false, const StepLimit& limit = {});

}  // namespace lstmscope
