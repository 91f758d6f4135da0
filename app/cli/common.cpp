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

void checkOutputPath(const std::string& out, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // Checked before any work: the output replaces a regular file only. Renaming onto a device node, a FIFO
  // or a symbolic link to one (/dev/null, /proc/self/fd/1) would replace it with a regular file; a
  // directory would fail only at the end of the job.
  const fs::file_status status = fs::status(out, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    const char* what = fs::is_directory(status)                                     ? "a directory"
                       : fs::is_fifo(status)                                        ? "a FIFO (named pipe)"
                       : fs::is_socket(status)                                      ? "a socket"
                       : fs::is_block_file(status) || fs::is_character_file(status) ? "a device"
                                                                                    : "not a regular file";
    throw UsageError("--out " + out + " is " + what + "; give the path of a file to write");
  }
  for (const std::string& in : inputs)
    if (!in.empty() && fs::equivalent(out, in, ec))
      throw UsageError("--out " + out + " is also an input; writing it would destroy " + in);
}

void applyThreads(long threads) {
  if (threads < 0 || threads > 4096) throw UsageError("--threads must be 0..4096 (0: every core)");
  if (threads == 0) return;  // default: OpenMP's (all cores)
  omp_set_num_threads(static_cast<int>(threads));
  Eigen::setNbThreads(static_cast<int>(threads));
}

}  // namespace lstmscope::cli
