// `lstmscope-cli ablate`: the effect on a target of ablating each unit of a layer in turn (docs/CLI.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/intervention_inputs.h"
#include "app/cli/intervention_output.h"
#include "app/cli/intervention_plot.h"
#include "app/cli/table_input.h"

namespace lstmscope::cli {

const char* const kAblateHelp =
    "usage: lstmscope-cli ablate --model MODEL [--vocab V] (--text STR | --text-file F | --csv F)\n"
    "                            --quantity L/DIR/Q [--steps A:B] [--value zero|mean] [--map]\n"
    "                            [--target-step t] [--target ID | --target-unit Q:L/DIR/U] [--score logprob|logit]\n"
    "                            [--precision float|double] --out EFFECTS.json|.csv|.png|.svg|.pdf\n"
    "\n"
    "Sets each unit of quantity Q (i f g o c h) of layer L, direction DIR, in turn to zero or to its mean over\n"
    "this input, over steps [A, B) (default: all), and reports how the target changes: score after minus\n"
    "score before, per unit. All ablated runs are computed as one batch, each resuming from the first step it\n"
    "changes.\n"
    "  --map           ablate one unit at one step at a time: the unit x step map of effects\n"
    "  --target-step   the step scored (default: the last)\n"
    "  --target ID     the head output scored (default: a language model's next token, else the most probable)\n"
    "  --target-unit Q:L/DIR/U  score a unit instead, e.g. c:1/fwd/7 (its value at --target-step)\n"
    "  --score         logprob (default; the log-probability of the output) or logit\n"
    "  --precision     float (default) or double\n"
    "EFFECTS.json: {target_step, target, target_description, score_kind, score, quantity, steps, value, units,\n"
    "ablated_to, effects} (with --map: effect_map, per step a list per unit, instead of effects).\n"
    "EFFECTS.csv: unit,ablated_to,effect (with --map: step,unit,effect). A figure: a bar per unit, or the\n"
    "map as a heatmap in a diverging colour map. See docs/INTERVENTIONS.md.\n";

namespace {

ProgressCallbacks terminalProgress(const char* what) {
  if (!isatty(2)) return {};
  return {{}, [what](long done, long total) { std::fprintf(stderr, "\r%s: %ld / %ld runs", what, done, total); }};
}

template <class T>
AblationEffects runAblation(const Model& model, const EncodedText& encoded, const InterventionTarget& target,
                            const AblationRequest& request, bool map) {
  const Network<T> net = model.cast<T>();
  const Inputs<T> in = inputsAs<T>(encoded.inputs);
  const ProgressCallbacks progress = terminalProgress("ablating");
  return map ? ablationMap(net, in, target, request, progress) : ablationSweep(net, in, target, request, progress);
}

}  // namespace

int runAblate(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kAblateHelp)) return 0;
  const AblateOptions o = parseAblateOptions(args);
  const auto start = std::chrono::steady_clock::now();
  const Model model = loadModel(o.model);
  const EncodedText encoded = readSingleInput(model.arch, o.input);
  const Network<double> net64 = model.cast<double>();
  const InterventionTarget target = resolveTarget(net64, inputsAs<double>(encoded.inputs), o.target);
  AblationRequest request;
  request.layer = o.what.layer;
  request.direction = modelDirection(model.arch, o.what);
  request.quantity = o.what.quantity;
  request.firstStep = o.firstStep.value_or(0);
  request.endStep = o.endStep.value_or(-1);
  request.toMean = o.toMean;
  const AblationEffects effects = o.doublePrecision ? runAblation<double>(model, encoded, target, request, o.map)
                                                    : runAblation<float>(model, encoded, target, request, o.map);
  const long endStep = std::min<long>(o.endStep.value_or(encoded.inputs.steps), encoded.inputs.steps);
  EffectContext context{std::to_string(o.what.layer) + "/" + o.what.direction + "/" + quantityName(o.what.quantity),
                        describeTarget(model.arch, target), target, encoded.surface};
  switch (attributeOutputFor(o.out)) {
    case AttributeOutput::Json:
      writeAblationJson(o.out, context, effects, o.map, o.toMean, endStep);
      break;
    case AttributeOutput::Csv:
      writeAblationCsv(o.out, effects, o.map);
      break;
    case AttributeOutput::Figure:
      writeAblationFigure(o.out, context, effects, o.map);
      break;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long runs = o.map ? static_cast<long>(effects.map.size()) : static_cast<long>(effects.effects.size());
  std::fprintf(stderr, "%swrote %s: %ld ablated runs of %s, %s = %.6g, in %.3f s\n", isatty(2) ? "\r" : "",
               o.out.c_str(), runs, context.quantity.c_str(), context.targetText.c_str(), effects.score, seconds);
  return 0;
}

}  // namespace lstmscope::cli
