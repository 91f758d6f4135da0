// lstmscope-cli: inspect, convert, record and train LSTM models from the command line.
// Exit status: 0 success, 2 usage error, 3 bad input (docs/CLI.md, "Exit status and messages").
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "core/common/denormals.h"
#include "core/common/error.h"
#include "core/common/large_array_memory.h"
#include "core/common/version.h"
#include "core/engine/external_gemm.h"
#include "core/formats/temp_files.h"
#include "core/parallel/ranks.h"

namespace {

const char* const kMainHelp =
    "usage: lstmscope-cli COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  info            print a model's architecture\n"
    "  convert         write a model as a native LSTMScope model file\n"
    "  record          run a model on a text or CSV; write every gate, cell and hidden state to a trace\n"
    "  train           train a language model or a sequence classifier\n"
    "  attribute       attribute a prediction to the input (saliency, gradxinput, ig, lrp, occlusion)\n"
    "  match           find every run of steps where chosen units are on, over a trace (LSTMVis's match)\n"
    "  unit            one unit over a whole trace: its histogram and where it is highest and lowest\n"
    "  export-lstmvis  write a trace as an LSTMVis project folder\n"
    "  intervene       set, clamp or shift any gate, cell or hidden unit over steps; record the run\n"
    "  ablate          the effect on a prediction of ablating each unit of a layer (or unit and step)\n"
    "  patch           activation patching: how much each unit and step of a clean run restores\n"
    "  generate        continue a prompt with and without interventions, side by side\n"
    "  probe           which units track a property of the text, and how well a linear probe reads it\n"
    "\n"
    "Run 'lstmscope-cli COMMAND --help' for a command's options.\n"
    "Exit status: 0 success, 2 usage error, 3 bad input (the message names the file and the problem).\n";

}  // namespace

// Under mpirun (the MPI build, docs/SCALING.md) every rank runs the command; the ranks of `record`, `match`,
// `unit` and `probe` share the work and agree on the outcome, so only the root speaks.
bool speaks() {
  return lstmscope::ranks::isRoot();
}

bool sharedAmongRanks(const std::string& command) {
  return command == "record" || command == "match" || command == "unit" || command == "probe";
}

int main(int argc, char** argv) {
  using namespace lstmscope;
  const RanksSession ranksSession(argc, argv);  // MPI first: before any thread starts
  flushDenormalsToZero();                       // before any thread starts: they inherit it
  setUpLargeArrayMemory();                      // a batch process: keep what it frees (up to 1 GB) for reuse
  removeTempFilesOnSignals();                   // Ctrl+C or a timeout leaves no temporary output behind
  // Loads OpenBLAS before any thread starts: loading names its kernel in the environment for a moment
  // (core/engine/external_gemm.h).
  (void)blas::available();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kMainHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::printf("lstmscope-cli %s\nbatched steps' matrix product: %s\n", kVersion, blas::kernelDescription().c_str());
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (ranks::size() > 1 && !sharedAmongRanks(command))
      throw cli::UsageError(
          "runs on one rank: of the commands, record, match, unit and probe share their work among MPI ranks "
          "(docs/SCALING.md); start it without mpirun");
    if (command == "info") return cli::runInfo(args);
    if (command == "convert") return cli::runConvert(args);
    if (command == "record") return cli::runRecord(args);
    if (command == "train") return cli::runTrain(args);
    if (command == "attribute") return cli::runAttribute(args);
    if (command == "match") return cli::runMatch(args);
    if (command == "unit") return cli::runUnit(args);
    if (command == "export-lstmvis") return cli::runExportLstmvis(args);
    if (command == "intervene") return cli::runIntervene(args);
    if (command == "ablate") return cli::runAblate(args);
    if (command == "patch") return cli::runPatch(args);
    if (command == "generate") return cli::runGenerate(args);
    if (command == "probe") return cli::runProbe(args);
    throw cli::UsageError("unknown command '" + command + "'");
  } catch (const cli::UsageError& e) {
    if (speaks())
      std::fprintf(stderr, "lstmscope-cli %s: %s\nRun 'lstmscope-cli %s --help' for usage.\n", command.c_str(),
                   e.what(), command.c_str());
    return 2;
  } catch (const InputError& e) {
    if (speaks()) std::fprintf(stderr, "lstmscope-cli %s: error: %s\n", command.c_str(), e.what());
    return 3;
  } catch (const Cancelled&) {
    if (speaks()) std::fprintf(stderr, "lstmscope-cli %s: cancelled\n", command.c_str());
    return 1;
  } catch (const std::bad_alloc&) {
    if (speaks())
      std::fprintf(stderr, "lstmscope-cli %s: error: out of memory (the input or model is too large)\n",
                   command.c_str());
    return 3;
  } catch (const std::exception& e) {
    if (speaks()) std::fprintf(stderr, "lstmscope-cli %s: internal error: %s\n", command.c_str(), e.what());
    return 1;
  }
}
