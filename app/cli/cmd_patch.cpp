// `lstmscope-cli patch`: activation patching from a clean into a corrupted input (docs/CLI.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/intervention_inputs.h"
#include "app/cli/intervention_output.h"
#include "app/cli/intervention_plot.h"
#include "core/common/error.h"

namespace lstmscope::cli {

const char* const kPatchHelp =
    "usage: lstmscope-cli patch --model MODEL [--vocab V] --clean TEXT --corrupt TEXT --quantity L/DIR/Q\n"
    "                           [--target-step t] [--target ID | --target-unit Q:L/DIR/U] [--score logprob|logit]\n"
    "                           [--precision float|double] --out MAP.json|.csv|.png|.svg|.pdf\n"
    "\n"
    "Runs the corrupted text with one value of quantity Q (i f g o c h) of layer L, direction DIR copied from\n"
    "the clean text's run, for every unit and step in turn, and reports the share of the clean-corrupted\n"
    "difference in the target that each restores: (patched - corrupted) / (clean - corrupted). The two texts\n"
    "must have the same number of tokens. The target defaults to the clean text's next token at the last step\n"
    "(or the most probable output of the clean run), scored as a log-probability.\n"
    "MAP.json: {target_step, target, target_description, score_kind, quantity, clean_score, corrupt_score,\n"
    "restored} with restored per step a list per unit. MAP.csv: step,unit,restored. A figure: the map as a\n"
    "heatmap, units by steps, in a diverging colour map. See docs/INTERVENTIONS.md.\n";

namespace {

template <class T>
PatchMap runPatch(const Model& model, const EncodedText& clean, const EncodedText& corrupt,
                  const InterventionTarget& target, const PatchRequest& request) {
  ProgressCallbacks progress;
  if (isatty(2))
    progress.progress = [](long done, long total) { std::fprintf(stderr, "\rpatching: %ld / %ld runs", done, total); };
  return patchMap(model.cast<T>(), inputsAs<T>(clean.inputs), inputsAs<T>(corrupt.inputs), target, request, progress);
}

}  // namespace

int runPatch(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kPatchHelp)) return 0;
  const PatchOptions o = parsePatchOptions(args);
  const auto start = std::chrono::steady_clock::now();
  const Model model = loadModel(o.model);
  const EncodedText clean = encodeText(model.arch, o.clean, "--clean", 1'000'000);
  const EncodedText corrupt = encodeText(model.arch, o.corrupt, "--corrupt", 1'000'000);
  if (clean.inputs.steps != corrupt.inputs.steps) {
    const std::string cleanSteps = std::to_string(clean.inputs.steps),
                      corruptSteps = std::to_string(corrupt.inputs.steps);
    if (model.arch.frontEndReadsTokens())  // windows of tokens make the steps
      throw InputError("--clean gives " + cleanSteps + " LSTM steps and --corrupt " + corruptSteps +
                       " (the model's front end reads windows of tokens): patching needs texts that give the same "
                       "number of steps");
    throw InputError("--clean has " + cleanSteps + " tokens and --corrupt " + corruptSteps +
                     ": patching needs texts of the same number of tokens");
  }
  const InterventionTarget target = resolveTarget(model.cast<double>(), inputsAs<double>(clean.inputs), o.target);
  PatchRequest request;
  request.layer = o.what.layer;
  request.direction = modelDirection(model.arch, o.what);
  request.quantity = o.what.quantity;
  const PatchMap patch = o.doublePrecision ? runPatch<double>(model, clean, corrupt, target, request)
                                           : runPatch<float>(model, clean, corrupt, target, request);
  EffectContext context{std::to_string(o.what.layer) + "/" + o.what.direction + "/" + quantityName(o.what.quantity),
                        describeTarget(model.arch, target), target, corrupt.surface};
  switch (attributeOutputFor(o.out)) {
    case AttributeOutput::Json:
      writePatchJson(o.out, context, patch);
      break;
    case AttributeOutput::Csv:
      writePatchCsv(o.out, patch);
      break;
    case AttributeOutput::Figure:
      writePatchFigure(o.out, context, patch);
      break;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "%swrote %s: %ld patched runs of %s, %s clean %.6g corrupted %.6g, in %.3f s\n",
               isatty(2) ? "\r" : "", o.out.c_str(), static_cast<long>(patch.restored.size()), context.quantity.c_str(),
               context.targetText.c_str(), patch.cleanScore, patch.corruptScore, seconds);
  return 0;
}

}  // namespace lstmscope::cli
