// Running lstmscope-cli from tests (the binary of the build, LSTMSCOPE_CLI) and looking at what it said.
#pragma once

#include <string>

#include "tests/support/run_command.h"

namespace lstmscope::test {

inline CommandResult runCli(const std::string& args) {
  return runCommand(shellQuoted(LSTMSCOPE_CLI) + " " + args);
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace lstmscope::test
