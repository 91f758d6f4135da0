#include <cstdio>
#include <filesystem>

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "app/cli/import_options.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {

const char* const kInfoHelp =
    "usage: lstmscope-cli info (MODEL [--vocab V] [import options] [--remember] | TRACE.h5)\n"
    "Prints a model's task, input, layers, head and parameter count, or what a trace recorded. For a\n"
    "foreign model also what each tensor became and what was assumed. --remember saves --vocab and the\n"
    "import options in MODEL.lstmscope.json, which every later open of MODEL (CLI and app) applies.\n";

const char* const kConvertHelp =
    "usage: lstmscope-cli convert MODEL [--vocab V] [import options] --out FILE.h5\n"
    "Writes MODEL as a native LSTMScope model file (written to a temporary file, then renamed).\n";

static std::string onlyModel(const Args& a) {
  if (a.positional().size() != 1) throw UsageError("expected exactly one MODEL argument");
  return a.positional()[0];
}

int runInfo(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kInfoHelp)) {
    std::fputs(kImportOptionsHelp, stdout);
    return 0;
  }
  const Args a(args, withImportOptions({}), {"remember"});
  const std::string path = onlyModel(a);
  if (isTraceFile(path)) {
    std::fputs(describeTrace(TraceReader(path)).c_str(), stdout);
    return 0;
  }
  const ImportChoices choices = importChoicesFrom(a);
  if (a.has("remember")) {
    // Check that the choices open the model before remembering them.
    importModel(path, a.get("vocab"), choices);
    SavedImport saved{choices, a.get("vocab")};
    const std::string sidecar = sidecarPath(path);
    std::error_code ec;
    if (std::filesystem::exists(sidecar, ec)) {
      const SavedImport before = readSidecar(sidecar);
      saved.choices = mergeChoices(before.choices, choices);
      if (saved.vocabPath.empty()) saved.vocabPath = before.vocabPath;
    }
    writeSidecar(saved, sidecar);
    std::fprintf(stderr, "remembered in %s\n", sidecar.c_str());
  }
  const ImportedModel imported = importModel(path, a.get("vocab"), choices);
  std::fputs(describeModel(imported.model).c_str(), stdout);
  // Foreign formats: what each tensor became and what had to be assumed.
  if (!imported.report.tensors.empty()) {
    std::fputs("\n", stdout);
    std::fputs(describeImport(imported.report).c_str(), stdout);
  }
  return 0;
}

int runConvert(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kConvertHelp)) {
    std::fputs(kImportOptionsHelp, stdout);
    return 0;
  }
  const Args a(args, withImportOptions({"out"}), {});
  checkOutputPath(a.require("out"), {onlyModel(a), a.get("vocab")});
  const Model m = importModel(onlyModel(a), a.get("vocab"), importChoicesFrom(a)).model;
  saveNativeModel(m, a.require("out"));
  std::fprintf(stderr, "wrote %s\n", a.require("out").c_str());
  return 0;
}

}  // namespace lstmscope::cli
