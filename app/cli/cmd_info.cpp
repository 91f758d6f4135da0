#include <cstdio>
#include <filesystem>

#include "app/cli/command_options.h"
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
    "import options in MODEL.lstmscope.json, which every later open of MODEL (CLI and app) applies.\n"
    "MODEL may also be given as --model MODEL.\n";

const char* const kConvertHelp =
    "usage: lstmscope-cli convert MODEL [--vocab V] [import options] --out FILE.h5\n"
    "Writes MODEL as a native LSTMScope model file (written to a temporary file, then renamed).\n";

int runInfo(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kInfoHelp)) {
    std::fputs(kImportOptionsHelp, stdout);
    return 0;
  }
  const ModelCommandOptions o = parseInfoOptions(args);
  if (isTraceFile(o.modelPath)) {
    std::fputs(describeTrace(TraceReader(o.modelPath)).c_str(), stdout);
    return 0;
  }
  if (o.remember) {
    // Check that the choices open the model before remembering them.
    importModel(o.modelPath, o.vocabPath, o.importChoices);
    SavedImport saved{o.importChoices, o.vocabPath};
    const std::string sidecar = sidecarPath(o.modelPath);
    std::error_code ec;
    if (std::filesystem::exists(sidecar, ec)) {
      const SavedImport before = readSidecar(sidecar);
      saved.choices = mergeChoices(before.choices, o.importChoices);
      if (saved.vocabPath.empty()) saved.vocabPath = before.vocabPath;
    }
    writeSidecar(saved, sidecar);
    std::fprintf(stderr, "remembered in %s\n", sidecar.c_str());
  }
  const ImportedModel imported = importModel(o.modelPath, o.vocabPath, o.importChoices);
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
  const ModelCommandOptions o = parseConvertOptions(args);
  const Model m = importForCommand(o.modelPath, o.vocabPath, o.importChoices);  // a cut keeps saying so
  saveNativeModel(m, o.out);
  std::fprintf(stderr, "wrote %s\n", o.out.c_str());
  return 0;
}

}  // namespace lstmscope::cli
