// Small text outputs of lstmscope-cli (JSON and CSV results): written whole through a temporary file that
// is renamed into place, and CSV cells quoted.
#pragma once

#include <string>

#include "core/common/csv_cell.h"

namespace lstmscope::cli {

using lstmscope::csvQuoted;  // "a ""quoted"" cell"

// Throws InputError naming `path` when it cannot be written (a full device included).
void writeTextFile(const std::string& path, const std::string& text);

}  // namespace lstmscope::cli
