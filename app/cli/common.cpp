#include <omp.h>

#include <Eigen/Core>
#include <cstdio>

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

void applyThreads(long threads) {
  if (threads == 0) return;  // default: OpenMP's (all cores)
  omp_set_num_threads(static_cast<int>(threads));
  Eigen::setNbThreads(static_cast<int>(threads));
}

}  // namespace lstmscope::cli
