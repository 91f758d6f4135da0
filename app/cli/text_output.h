// Small text outputs of lstmscope-cli (JSON and CSV results): written whole through a temporary file that
// is renamed into place, and CSV cells quoted.
#pragma once

#include <string>

namespace lstmscope::cli {

// Throws InputError naming `path` when it cannot be written (a full device included).
void writeTextFile(const std::string& path, const std::string& text);

// "a ""quoted"" cell"
std::string csvQuoted(const std::string& cell);

}  // namespace lstmscope::cli
