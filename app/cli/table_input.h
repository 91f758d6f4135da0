// A model of numeric features reads a CSV table (--csv), its steps named by one of the table's columns
// (--label-column) or by their numbers: shared by record and attribute.
#pragma once

#include <string>

#include "core/formats/sequence_input.h"

namespace lstmscope::cli {

// Throws InputError for a bad table or a model that reads text, UsageError for an unknown column.
EncodedText readTableInput(const Architecture& arch, const std::string& path, const std::string& labelColumn,
                           long maxSteps);

}  // namespace lstmscope::cli
