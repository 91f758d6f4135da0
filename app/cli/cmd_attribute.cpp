// `lstmscope-cli attribute`: parse the options, compute through core's computeAttribution (the same call
// the app's Attribution dock makes), write the file. The names, defaults and limits it accepts come from
// core's attribution rules, so the help, the checks and the app agree.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <optional>

#include "app/cli/attribute_output.h"
#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "app/cli/import_options.h"
#include "app/cli/table_input.h"
#include "core/attribution/attribution_report.h"
#include "core/common/error.h"
#include "core/formats/model_loader.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::cli {
namespace {

constexpr long kMaxSteps = 1'000'000;

// "a, b or c" (last = " or ") or "a | b | c" (last = separator).
template <class Range, class Name>
std::string listed(const Range& items, Name name, const std::string& separator, const std::string& last) {
  std::string out;
  const size_t n = std::size(items);
  size_t k = 0;
  for (const auto& item : items) {
    out += (k == 0 ? "" : k + 1 == n ? last : separator) + std::string(name(item));
    ++k;
  }
  return out;
}

std::string methodNames(const std::string& separator, const std::string& last) {
  return listed(kAllAttributionMethods, attributionMethodName, separator, last);
}

std::string ruleNames(const std::string& separator, const std::string& last) {
  return listed(kQuadratureRules, quadratureRuleName, separator, last);
}

std::string baselineNames(const std::string& separator, const std::string& last) {
  return listed(
      kBaselineNames, [](const char* name) { return name; }, separator, last);
}

std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Generated from core's lists and defaults so that it always names exactly what is accepted.
std::string attributeHelp() {
  const LrpOptions lrp;
  const std::string rules = listed(
      kQuadratureRules,
      [](QuadratureRule r) {
        return std::string(quadratureRuleName(r)) + (r == kDefaultQuadratureRule ? " (default)" : "");
      },
      " | ", " | ");
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
         methodNames(" | ", " | ") +
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
         shortNumber(lrp.epsilon) +
         ")\n"
         "  --bias-factor F  lrp: share of bias relevance passed down (default " +
         shortNumber(lrp.biasFactor) +
         "; 1 is fully conservative)\n"
         "  --target-unit KIND:L/DIR/U  attribute a state unit instead of a logit: hidden or cell unit U of layer L\n"
         "                 (from 0), direction fwd or bwd, at --target-step; e.g. cell:0/fwd/7\n"
         "FILE.json: {method, target_step, target, target_description, score, baseline_score, attributions,\n"
         "           convergence_delta, conservation (lrp), tokens}.\n"
         "FILE.csv: one row per token: step, token, attribution. FILE.png/.svg/.pdf: the attribution plot as the\n"
         "desktop app draws it (tokens coloured by attribution, target boxed, title with model, method, target,\n"
         "baseline, steps and delta). Written to a temporary file, then renamed.\n";
}

// "cell:1/fwd/7" -> a cell target (the step is set by the caller).
AttributionTarget parseTargetUnit(const std::string& spec) {
  const auto bad = [&] {
    return UsageError("--target-unit must look like cell:0/fwd/7 or hidden:1/bwd/3, not '" + spec + "'");
  };
  const size_t colon = spec.find(':'), slash1 = spec.find('/'), slash2 = spec.rfind('/');
  if (colon == std::string::npos || slash1 == std::string::npos || slash1 == slash2) throw bad();
  const std::string kind = spec.substr(0, colon), dir = spec.substr(slash1 + 1, slash2 - slash1 - 1);
  if ((kind != "cell" && kind != "hidden") || (dir != "fwd" && dir != "bwd")) throw bad();
  try {
    size_t used = 0;
    const std::string layer = spec.substr(colon + 1, slash1 - colon - 1), unit = spec.substr(slash2 + 1);
    const int l = std::stoi(layer, &used);
    if (used != layer.size()) throw bad();
    const int u = std::stoi(unit, &used);
    if (used != unit.size()) throw bad();
    return stateTarget(kind == "cell" ? TargetKind::Cell : TargetKind::Hidden, l, dir == "fwd" ? 0 : 1, u, 0);
  } catch (const std::logic_error&) {
    throw bad();
  }
}

// Everything the command line asks for, checked (UsageError) before the model is opened.
struct AttributeOptions {
  std::string modelPath, vocabPath, out;
  ImportChoices importChoices;
  std::optional<std::string> text;  // --text, else read from textFile or csvFile
  std::string textFile, csvFile, labelColumn;
  AttributionMethod method = AttributionMethod::Saliency;
  AttributionSettings settings;
  std::optional<long> targetStep;
  std::optional<int> targetOutput;
  std::optional<AttributionTarget> targetUnit;  // its step is the target step
};

AttributeOptions parseAttributeOptions(const std::vector<std::string>& args) {
  const Args a(args,
               withImportOptions({"model", "text", "text-file", "csv", "label-column", "method", "target-step",
                                  "target", "steps", "rule", "baseline", "window", "out", "eps", "bias-factor",
                                  "target-unit", "precision"}),
               {});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  if (a.has("text") + a.has("text-file") + a.has("csv") != 1)
    throw UsageError("give exactly one of --text, --text-file or --csv");
  AttributeOptions o;
  const std::string method = a.require("method");
  o.out = a.require("out");
  if (!parseAttributionMethod(method, o.method))
    throw UsageError("unknown --method '" + method + "' (" + methodNames(", ", ", ") + ")");
  // An option the method does not use would be silently ignored (docs/CLI.md's "used by" column).
  static const std::pair<const char*, std::vector<std::string>> kUsedBy[] = {
      {"steps", {"ig"}},         {"rule", {"ig"}}, {"baseline", {"ig", "occlusion"}}, {"precision", {"ig"}},
      {"window", {"occlusion"}}, {"eps", {"lrp"}}, {"bias-factor", {"lrp"}}};
  for (const auto& [option, methods] : kUsedBy)
    if (a.has(option) && std::find(methods.begin(), methods.end(), method) == methods.end())
      throw UsageError("--" + std::string(option) + " is not used by --method " + method);
  if (a.has("label-column") && !a.has("csv")) throw UsageError("--label-column applies to --csv only");
  AttributionSettings& s = o.settings;
  s.lrp.epsilon = a.getDouble("eps", s.lrp.epsilon);
  s.lrp.biasFactor = a.getDouble("bias-factor", s.lrp.biasFactor);
  if (!(s.lrp.epsilon >= 0) || !std::isfinite(s.lrp.epsilon)) throw UsageError("--eps must be a number >= 0");
  if (!std::isfinite(s.lrp.biasFactor)) throw UsageError("--bias-factor must be a number");
  (void)attributeOutputFor(o.out);
  checkOutputPath(o.out, {a.get("model"), a.get("text-file"), a.get("csv"), a.get("vocab")});
  if (a.has("rule") && !parseQuadratureRule(a.get("rule"), s.rule))
    throw UsageError("--rule must be " + ruleNames(", ", " or "));
  const long steps = a.getLong("steps", kDefaultIgSteps);
  const int window = a.getInt("window", s.window, 1, std::numeric_limits<int>::max());
  if (!validIgSteps(steps)) throw UsageError("--steps must be 1.." + std::to_string(kMaxIgSteps));
  s.steps = static_cast<int>(steps), s.window = static_cast<int>(window);
  const std::string precision = a.get("precision", "float64");
  if (precision != "float64" && precision != "float32") throw UsageError("--precision must be float64 or float32");
  s.precision = precision == "float32" ? Precision::Float32 : Precision::Float64;
  s.baselineName = a.get("baseline", s.baselineName);
  if (std::find(std::begin(kBaselineNames), std::end(kBaselineNames), s.baselineName) == std::end(kBaselineNames))
    throw UsageError("--baseline must be " + baselineNames(", ", " or "));

  o.modelPath = a.require("model");
  o.vocabPath = a.get("vocab");
  o.importChoices = importChoicesFrom(a);
  if (a.has("text")) o.text = a.get("text");
  o.textFile = a.get("text-file"), o.csvFile = a.get("csv"), o.labelColumn = a.get("label-column");
  if (a.has("target-step")) o.targetStep = a.getLong("target-step", 0, 0, std::numeric_limits<long>::max());
  if (a.has("target")) o.targetOutput = a.getInt("target", 0, 0, std::numeric_limits<int>::max());
  if (a.has("target-unit")) {
    if (a.has("target")) throw UsageError("give --target (a logit) or --target-unit (a state unit), not both");
    o.targetUnit = parseTargetUnit(a.get("target-unit"));
  }
  return o;
}

EncodedText readInput(const Architecture& arch, const AttributeOptions& o) {
  if (!o.csvFile.empty()) return readTableInput(arch, o.csvFile, o.labelColumn, kMaxSteps);
  if (o.text) return encodeText(arch, *o.text, "--text", kMaxSteps);
  return encodeTextFile(arch, o.textFile, kMaxSteps);
}

// The default target at the chosen step (it also checks the step), then what the options change.
AttributionTarget chooseTarget(const Network<double>& net, const Inputs<double>& tokens, const AttributeOptions& o) {
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
  r.net = importModel(o.modelPath, o.vocabPath, o.importChoices).model.cast<double>();
  const EncodedText encoded = readInput(r.net.arch, o);
  r.tokens = encoded.surface;
  const Inputs<double> tokens{encoded.inputs.steps, 1, encoded.inputs.tokens, encoded.inputs.features.cast<double>()};
  AttributionRequest request;
  request.target = r.target = chooseTarget(r.net, tokens, o);
  request.methods = {o.method};
  request.settings = r.settings = o.settings;
  request.settings.baselineToken = baselineTokenNamed(r.net.arch, o.settings.baselineName, o.modelPath);
  request.unitAttribution = false;  // the CLI writes per-token attributions only
  r.attribution = std::move(computeAttribution(r.net, tokens, request).methods.front());
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
