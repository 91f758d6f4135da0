// `lstmscope-cli attribute`: parse the options (attribute_options.cpp), compute through core's computeAttribution (the
// same call the app's Attribution dock makes), write the file. The names, defaults and limits it accepts come from
// core's attribution rules, so the help, the checks and the app agree.
#include <cstdio>

#include "app/cli/attribute_output.h"
#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "app/cli/table_input.h"
#include "core/attribution/attribution_report.h"
#include "core/common/error.h"
#include "core/formats/model_loader.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::cli {
namespace {

std::string plainNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Generated from core's lists and defaults so that it always names exactly what is accepted.
std::string attributeHelp() {
  const LrpOptions lrp;
  std::string rules;
  for (QuadratureRule r : kQuadratureRules)
    rules += (rules.empty() ? "" : " | ") + std::string(quadratureRuleName(r)) +
             (r == kDefaultQuadratureRule ? " (default)" : "");
  return "usage: lstmscope-cli attribute --model MODEL [--vocab V] [import options: see info --help]\n"
         "                               (--text STR | --text-file F | --csv F [--label-column C]) --method M\n"
         "                               [--target-step t] [--target ID] [--steps N] [--rule R] [--baseline B]\n"
         "                               [--window N] [--precision P] [--eps E] [--bias-factor F] "
         "[--target-unit KIND:L/DIR/U]\n"
         "                               --out FILE.json|.csv|.png|.svg|.pdf\n"
         "\n"
         "Attributes one score, the head's logit of output --target at step --target-step, to every input token\n"
         "(docs/ATTRIBUTION.md). Computed in float64. A model of numeric features reads --csv (one row per step);\n"
         "its steps are named by --label-column (a column of the table, e.g. a date) or by their numbers.\n"
         "  --method       " +
         attributionMethodNames(" | ", " | ") +
         "\n"
         "  --target-step  output step (default: the last)\n"
         "  --target       output id (default: a language model's actual next token, else the most probable)\n"
         "  --steps N      Integrated Gradients: quadrature intervals (default " +
         std::to_string(kDefaultIgSteps) + ", at most " + std::to_string(kMaxIgSteps) +
         ")\n"
         "  --rule R       Integrated Gradients: " +
         rules +
         "\n"
         "  --baseline B   ig and occlusion: " +
         baselineNames(" | ", " | ") + " (default " + kBaselineNames[0] +
         "): the zero vector, or that token's embedding\n"
         "  --precision P  ig: float64 (default) or float32 (the path in single precision, about twice as fast;\n"
         "                 the reported delta includes its rounding error)\n"
         "  --window N     occlusion: tokens replaced at once (default 1)\n"
         "  --eps E        lrp: stabiliser epsilon (default " +
         plainNumber(lrp.epsilon) +
         ")\n"
         "  --bias-factor F  lrp: share of bias relevance passed down (default " +
         plainNumber(lrp.biasFactor) +
         "; 1 is fully conservative)\n"
         "  --target-unit KIND:L/DIR/U  attribute a state unit instead of a logit: hidden or cell unit U of layer L\n"
         "                 (from 0), direction fwd or bwd, at --target-step; e.g. cell:0/fwd/7\n"
         "FILE.json: {method, target_step, target, target_description, score, baseline_score, attributions,\n"
         "           convergence_delta, conservation (lrp), tokens, attributed_to}. A model with a front end (Conv1D,\n"
         "           pooling, an encoder) is attributed to the rows or tokens the front end reads (attributed_to\n"
         "           \"input\", and target_input_index names the last row or token the target's step reads);\n"
         "           lrp stops at the LSTM's input features, one value per step (\"lstm_input_features\").\n"
         "FILE.csv: one row per token: step, token, attribution (through a front end: row or position instead of\n"
         "step). FILE.png/.svg/.pdf: the attribution plot as the desktop app draws it (tokens coloured by\n"
         "attribution, target boxed, title with model, method, target, baseline, steps and delta). Written to a\n"
         "temporary file, then renamed.\n";
}

// The default target at the chosen step (it also checks the step), then what the options change.
AttributionTarget chooseTarget(const Network<double>& net, const Inputs<double>& tokens, const AttributeOptions& o) {
  // A head that predicts once has one output, after the last step: an earlier --target-step would be described
  // as an output there while the score is the final prediction.
  const long last = static_cast<long>(tokens.steps) - 1;
  if (o.targetStep && *o.targetStep < last && !o.targetUnit && net.arch.head && net.arch.head->perSequence())
    throw InputError(o.modelPath, "target step " + std::to_string(*o.targetStep) +
                                      " has no output: the model predicts once, after the last step (" +
                                      std::to_string(last) +
                                      "); leave --target-step out, or attribute a unit with "
                                      "--target-unit");
  AttributionTarget target = defaultTarget(net, tokens, o.targetStep);
  if (o.targetOutput) target.output = *o.targetOutput;
  if (o.targetUnit) {
    const long step = target.step;
    target = *o.targetUnit;
    target.step = step;
  }
  return target;
}

AttributeResult computeAttribute(const AttributeOptions& o) {
  AttributeResult r;
  r.modelPath = o.modelPath;
  r.net = importForCommand(o.modelPath, o.vocabPath, o.importChoices).cast<double>();
  const EncodedText encoded = readSingleInput(r.net.arch, o.input);
  r.tokens = encoded.surface;
  const Inputs<double> tokens{encoded.inputs.steps, 1, encoded.inputs.tokens, encoded.inputs.features.cast<double>()};
  AttributionRequest request;
  request.target = r.target = chooseTarget(r.net, tokens, o);
  request.methods = {o.method};
  request.settings = r.settings = o.settings;
  request.settings.baselineToken = baselineTokenNamed(r.net.arch, o.settings.baselineName, o.modelPath);
  request.unitAttribution = false;  // the CLI writes per-token attributions only
  request.rawInput = encoded.raw.cast<double>();
  r.attribution = std::move(computeAttribution(r.net, tokens, request).methods.front());
  r.markedToken = r.target.step;
  if (r.attribution.onRawInput) {  // one value per row or token the front end reads
    r.tokens = encoded.rawSurface;
    r.markedToken = lastRowReadBy(encoded.rowsOfStep, r.target.step);
  }
  return r;
}

}  // namespace

const char* const kAttributeHelp = [] {
  static const std::string help = attributeHelp();
  return help.c_str();
}();

int runAttribute(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kAttributeHelp)) return 0;
  const AttributeOptions options = parseAttributeOptions(args);
  const AttributeResult result = computeAttribute(options);
  writeAttribute(options.out, result);
  printAttributeSummary(result);
  return 0;
}

}  // namespace lstmscope::cli
