// What `lstmscope-cli attribute` writes (docs/CLI.md, docs/ATTRIBUTION.md): the JSON file, the CSV file,
// the figure, and the summary on stderr, each from one computed attribution.
#pragma once

#include <string>
#include <vector>

#include "core/attribution/attribution_report.h"

namespace lstmscope::cli {

// One attribution as computed, with everything its outputs name.
struct AttributeResult {
  std::string modelPath;
  Network<double> net;  // the model, in float64
  // Each attributed token's text: the steps' (the LSTM's input), or the rows or tokens of the raw input when
  // the attribution went through the model's front end (attribution.onRawInput).
  std::vector<std::string> tokens;
  long markedToken = 0;  // the token the figure boxes: the target's step, or the last row it reads
  AttributionTarget target;
  AttributionSettings settings;  // as run: the baseline's name, the IG rule and steps, ...
  MethodAttribution attribution;
};

// The JSON document: method, target_step, target, target_description, score, baseline_score,
// attributions, convergence_delta (null where it does not apply), conservation (lrp only), tokens,
// attributed_to ("input": what the user gave; "lstm_input_features": LRP of a model with a front end), and
// through a front end target_input_index (the last row or token the target's step reads).
// Numbers keep full precision (they read back to the same doubles); non-finite numbers are null.
std::string attributeJson(const AttributeResult& r);
// One row per token: step, token, attribution; through a front end the first column counts the table's rows
// ("row") or the text's tokens ("position") instead of the LSTM's steps.
std::string attributeCsv(const AttributeResult& r);

// Writes `r` to `path` in the format its ending names, through a temporary file that is then renamed.
// Throws InputError naming the file when it cannot be written.
void writeAttribute(const std::string& path, const AttributeResult& r);

// The conservation of LRP and the convergence delta of IG, with a warning where the attribution rules
// flag them (core/attribution/attribution_rules.h).
void printAttributeSummary(const AttributeResult& r);

}  // namespace lstmscope::cli
