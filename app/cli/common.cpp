#include <omp.h>

#include <Eigen/Core>
#include <cstdio>
#include <filesystem>

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"

namespace lstmscope::cli {

bool printHelpIfAsked(const std::vector<std::string>& args, const char* help) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(help, stdout);
      return true;
    }
  return false;
}

void refuseOverwritingInputs(const std::string& out, const std::vector<std::string>& inputs) {
  std::error_code ec;
  for (const std::string& in : inputs)
    if (!in.empty() && std::filesystem::equivalent(out, in, ec))
      throw UsageError("--out " + out + " is also an input; writing it would destroy " + in);
}

void applyThreads(long threads) {
  if (threads < 0) throw UsageError("--threads must be positive");
  if (threads == 0) return;  // default: OpenMP's (all cores)
  omp_set_num_threads(static_cast<int>(threads));
  Eigen::setNbThreads(static_cast<int>(threads));
}

}  // namespace lstmscope::cli
