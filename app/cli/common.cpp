#include <omp.h>

#include <Eigen/Core>
#include <cstdio>
#include <iostream>

#include "app/cli/commands.h"
#include "core/formats/model_loader.h"

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

Model importForCommand(const std::string& path, const std::string& vocabPath, const ImportChoices& choices) {
  Model model = importModel(path, vocabPath, choices).model;
  if (!model.arch.cutOff.empty())
    std::cerr << "lstmscope-cli: note: " << path << " opened in part: " << model.arch.cutOff << "\n";
  return model;
}

}  // namespace lstmscope::cli
