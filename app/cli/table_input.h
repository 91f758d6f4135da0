// A model of numeric features reads a CSV table (--csv), its steps named by one of the table's columns
// (--label-column) or by their numbers: shared by record, attribute and the intervention commands, with
// the one text or table that the commands of a single input read.
#pragma once

#include <string>

#include "app/cli/command_options.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::cli {

// Throws InputError for a bad table, one longer than `maxSteps` rows (the message ends with `limitAdvice`,
// if any) or a model that reads text, UsageError for an unknown column. Reads the file only as far as the
// limit needs.
// `noStepAllowed`: a corpus's table too short for the model's front end gives no step (EncodedText::noStep).
EncodedText readTableInput(const Architecture& arch, const std::string& path, const std::string& labelColumn,
                           long maxSteps, const std::string& limitAdvice = {}, bool noStepAllowed = false);

// The one text (--text, --text-file) or table (--csv) of `input`, at most 1,000,000 steps.
EncodedText readSingleInput(const Architecture& arch, const InputOptions& input);

}  // namespace lstmscope::cli
