#include <cstdio>

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {

const char* const kInfoHelp =
    "usage: lstmscope-cli info (MODEL [--vocab V] | TRACE.h5)\n"
    "Prints a model's task, input, layers, head and parameter count, or what a trace recorded. For a\n"
    "foreign model (PyTorch .pt/.pth, safetensors) also what each tensor became and what was assumed.\n";

const char* const kConvertHelp =
    "usage: lstmscope-cli convert MODEL [--vocab V] --out FILE.h5\n"
    "Writes MODEL as a native LSTMScope model file (written to a temporary file, then renamed).\n";

static std::string onlyModel(const Args& a) {
  if (a.positional().size() != 1) throw UsageError("expected exactly one MODEL argument");
  return a.positional()[0];
}

int runInfo(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kInfoHelp)) return 0;
  const Args a(args, {"vocab"}, {});
  const std::string path = onlyModel(a);
  if (isTraceFile(path)) {
    std::fputs(describeTrace(TraceReader(path)).c_str(), stdout);
    return 0;
  }
  const ImportedModel imported = importModel(path, a.get("vocab"));
  std::fputs(describeModel(imported.model).c_str(), stdout);
  // Foreign formats: what each tensor became and what had to be assumed.
  if (!imported.report.tensors.empty()) {
    std::fputs("\n", stdout);
    std::fputs(describeImport(imported.report).c_str(), stdout);
  }
  return 0;
}

int runConvert(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kConvertHelp)) return 0;
  const Args a(args, {"vocab", "out"}, {});
  refuseOverwritingInputs(a.require("out"), {a.get("vocab")});
  const Model m = loadModel(onlyModel(a), a.get("vocab"));
  saveNativeModel(m, a.require("out"));
  std::fprintf(stderr, "wrote %s\n", a.require("out").c_str());
  return 0;
}

}  // namespace lstmscope::cli
