#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

#include "app/cli/attribution_plot.h"
#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "app/cli/import_options.h"
#include "app/cli/table_input.h"
#include "core/attribution/attribution_report.h"
#include "core/common/error.h"
#include "core/formats/atomic_file.h"
#include "core/formats/model_loader.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::cli {

const char* const kAttributeHelp =
    "usage: lstmscope-cli attribute --model MODEL [--vocab V] [import options: see info --help]\n"
    "                               (--text STR | --text-file F | --csv F [--label-column C]) --method M\n"
    "                               [--target-step t] [--target ID] [--steps N] [--rule R] [--baseline B]\n"
    "                               [--window N] [--precision P] [--eps E] [--bias-factor F] [--target-unit "
    "KIND:L/DIR/U]\n"
    "                               --out FILE.json|.csv|.png|.svg|.pdf\n"
    "\n"
    "Attributes one score, the head's logit of output --target at step --target-step, to every input token\n"
    "(docs/ATTRIBUTION.md). Computed in float64. A model of numeric features reads --csv (one row per step);\n"
    "its steps are named by --label-column (a column of the table, e.g. a date) or by their numbers.\n"
    "  --method       saliency | gradxinput | ig | lrp | occlusion\n"
    "  --target-step  output step (default: the last)\n"
    "  --target       output id (default: a language model's actual next token, else the most probable)\n"
    "  --steps N      Integrated Gradients: quadrature intervals (default 64)\n"
    "  --rule R       Integrated Gradients: left | right | midpoint (default) | trapezoid | gausslegendre\n"
    "  --baseline B   ig and occlusion: zero (zero embedding, default) | unk | pad (that token's embedding)\n"
    "  --precision P  ig: float64 (default) or float32 (the path in single precision, about twice as fast;\n"
    "                 the reported delta includes its rounding error)\n"
    "  --window N     occlusion: tokens replaced at once (default 1)\n"
    "  --eps E        lrp: stabiliser epsilon (default 0.001)\n"
    "  --bias-factor F  lrp: share of bias relevance passed down (default 0; 1 is fully conservative)\n"
    "  --target-unit KIND:L/DIR/U  attribute a state unit instead of a logit: hidden or cell unit U of layer L\n"
    "                 (from 0), direction fwd or bwd, at --target-step; e.g. cell:0/fwd/7\n"
    "FILE.json: {method, target_step, target, target_description, score, baseline_score, attributions,\n"
    "           convergence_delta, conservation (lrp), tokens}.\n"
    "FILE.csv: one row per token: step, token, attribution. FILE.png/.svg/.pdf: the attribution plot as the\n"
    "desktop app draws it (tokens coloured by attribution, target boxed, title with model, method, target,\n"
    "baseline, steps and delta). Written to a temporary file, then renamed.\n";

namespace {

constexpr long kMaxSteps = 1'000'000;

EncodedText textInput(const Architecture& arch, const std::string& source, const std::optional<std::string>& text) {
  return encodeText(arch, text ? *text : readFileBytes(source, size_t(1) << 28), source, kMaxSteps);
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\', out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string optionalNumber(const std::optional<double>& v) {
  return v ? number(*v) : "null";
}

std::string csvString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
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

std::string conservationJson(const LrpResult& r) {
  std::string out = "{\"input_relevance\": " + number(r.tokens.perToken.sum()) +
                    ", \"initial_state_relevance\": " + number(r.initialStateRelevance) +
                    ", \"absorbed\": " + number(r.conservationError()) + ", \"stages\": [";
  for (size_t k = 0; k < r.flows.size(); ++k) {
    const RelevanceFlow& f = r.flows[k];
    out += std::string(k ? ", " : "") + "{\"stage\": " + jsonString(f.stage) + ", \"received\": " + number(f.received) +
           ", \"passed_on\": " + number(f.passedOn) + ", \"initial_state\": " + number(f.initialState) +
           ", \"absorbed\": " + number(f.absorbed()) + "}";
  }
  return out + "]}";
}

void write(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  {
    std::ofstream out(file.tempPath(), std::ios::binary);
    out << text;
    if (!out.flush()) throw InputError(path, "cannot write");
  }
  file.commit();
}

}  // namespace

int runAttribute(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kAttributeHelp)) return 0;
  const Args a(args,
               withImportOptions({"model", "text", "text-file", "csv", "label-column", "method", "target-step",
                                  "target", "steps", "rule", "baseline", "window", "out", "eps", "bias-factor",
                                  "target-unit", "precision"}),
               {});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  if (a.has("text") + a.has("text-file") + a.has("csv") != 1)
    throw UsageError("give exactly one of --text, --text-file or --csv");
  const std::string method = a.require("method"), out = a.require("out");
  AttributionMethod chosen;
  if (!parseAttributionMethod(method, chosen))
    throw UsageError("unknown --method '" + method + "' (saliency, gradxinput, ig, lrp, occlusion)");
  AttributionSettings settings;
  LrpOptions& lrpOptions = settings.lrp;
  lrpOptions.epsilon = a.getDouble("eps", lrpOptions.epsilon);
  lrpOptions.biasFactor = a.getDouble("bias-factor", lrpOptions.biasFactor);
  if (!(lrpOptions.epsilon >= 0) || !std::isfinite(lrpOptions.epsilon)) throw UsageError("--eps must be a number >= 0");
  if (!std::isfinite(lrpOptions.biasFactor)) throw UsageError("--bias-factor must be a number");
  const bool json = out.size() > 5 && out.substr(out.size() - 5) == ".json";
  const bool csv = out.size() > 4 && out.substr(out.size() - 4) == ".csv";
  const bool plot = isPlotPath(out);
  if (!json && !csv && !plot) throw UsageError("--out must end in .json, .csv, .png, .svg or .pdf");
  refuseOverwritingInputs(out, {a.get("model"), a.get("text-file"), a.get("csv"), a.get("vocab")});
  if (a.has("rule") && !parseQuadratureRule(a.get("rule"), settings.rule))
    throw UsageError("--rule must be left, right, midpoint, trapezoid or gausslegendre");
  const long steps = a.getLong("steps", 64), window = a.getLong("window", 1);
  if (steps < 1 || steps > 100000) throw UsageError("--steps must be 1..100000");
  if (window < 1) throw UsageError("--window must be at least 1");
  const std::string precision = a.get("precision", "float64");
  if (precision != "float64" && precision != "float32") throw UsageError("--precision must be float64 or float32");
  settings.precision = precision == "float32" ? Precision::Float32 : Precision::Float64;
  const std::string baselineName = a.get("baseline", "zero");
  if (baselineName != "zero" && baselineName != "unk" && baselineName != "pad")
    throw UsageError("--baseline must be zero, unk or pad");

  const std::string modelPath = a.require("model");
  const Network<double> net = importModel(modelPath, a.get("vocab"), importChoicesFrom(a)).model.cast<double>();
  const EncodedText encoded = a.has("csv")
                                  ? readTableInput(net.arch, a.get("csv"), a.get("label-column"), kMaxSteps)
                                  : textInput(net.arch, a.has("text") ? std::string("--text") : a.get("text-file"),
                                              a.has("text") ? std::optional(a.get("text")) : std::nullopt);
  Inputs<double> tokens{encoded.inputs.steps, 1, encoded.inputs.tokens, encoded.inputs.features.cast<double>()};
  AttributionTarget target = defaultTarget(
      net, tokens, a.has("target-step") ? std::optional<long>(a.getLong("target-step", 0)) : std::nullopt);
  if (a.has("target")) target.output = static_cast<int>(a.getLong("target", 0));
  if (a.has("target-unit")) {
    if (a.has("target")) throw UsageError("give --target (a logit) or --target-unit (a state unit), not both");
    const long step = target.step;
    target = parseTargetUnit(a.get("target-unit"));
    target.step = step;
  }

  const Network<double> vectors = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens);
  const Mat<double> baseline =
      baselineVectors(net, tokens.steps, baselineTokenNamed(net.arch, baselineName, modelPath));
  settings.steps = static_cast<int>(steps), settings.window = static_cast<int>(window);
  const MethodAttribution attribution = runAttributionMethod(chosen, vectors, x, baseline, target, settings);
  const TokenAttribution& result = attribution.values;
  const std::optional<LrpResult>& lrp = attribution.lrp;

  std::string body;
  if (plot) {
    AttributionPlot figure;
    figure.tokens = encoded.surface;
    figure.values = result.perToken;
    figure.label = attributionMethodTitle(chosen);
    figure.targetStep = target.step;
    std::string what = describeTarget(net.arch, target);
    if (target.kind == TargetKind::Logit && net.arch.predictsNextToken(net.headOutputs()))
      what = "logit of \u201c" + net.arch.vocab.tokens()[static_cast<size_t>(target.output)] + "\u201d at step " +
             std::to_string(target.step);
    figure.title = modelPath.substr(modelPath.find_last_of('/') + 1) + " \u00b7 " + attributionMethodTitle(chosen) +
                   " \u00b7 " + what;
    if (chosen == AttributionMethod::IntegratedGradients || chosen == AttributionMethod::Occlusion)
      figure.title += " \u00b7 baseline " + baselineName;
    if (result.convergenceDelta) {
      const double change = result.score - result.baselineScore.value_or(0);
      figure.title += " \u00b7 " + std::to_string(steps) + " " + quadratureRuleName(settings.rule) + " steps";
      figure.note = "\u03b4 = " + shortNumber(*result.convergenceDelta) + " of score change " + shortNumber(change);
      figure.warning = std::abs(*result.convergenceDelta) > 0.05 * std::abs(change);
    }
    if (lrp)
      figure.note = "relevance reaching the input " + shortNumber(result.perToken.sum()) + " of score " +
                    shortNumber(result.score);
    writeAttributionPlot(out, figure);
  } else if (json) {
    body = "{\"method\": " + jsonString(method) + ", \"target_step\": " + std::to_string(target.step) +
           ", \"target\": " + std::to_string(target.kind == TargetKind::Logit ? target.output : target.unit) +
           ", \"target_description\": " + jsonString(describeTarget(net.arch, target)) +
           ", \"score\": " + number(result.score) + ", \"baseline_score\": " + optionalNumber(result.baselineScore) +
           ", \"attributions\": [";
    for (long t = 0; t < result.perToken.size(); ++t) body += (t ? ", " : "") + number(result.perToken(t));
    body += "], \"convergence_delta\": " + optionalNumber(result.convergenceDelta);
    if (lrp) body += ", \"conservation\": " + conservationJson(*lrp);
    body += ", \"tokens\": [";
    for (size_t t = 0; t < encoded.surface.size(); ++t) body += (t ? ", " : "") + jsonString(encoded.surface[t]);
    body += "]}\n";
  } else {
    body = "step,token,attribution\n";
    for (long t = 0; t < result.perToken.size(); ++t)
      body += std::to_string(t) + "," + csvString(encoded.surface[static_cast<size_t>(t)]) + "," +
              number(result.perToken(t)) + "\n";
  }
  if (!plot) write(out, body);
  if (lrp)
    std::fprintf(stderr,
                 "relevance reaching the input %.6g of the score %.6g; biases and epsilon absorbed %.3g (%.1f%%)\n",
                 lrp->tokens.perToken.sum(), lrp->tokens.score, lrp->conservationError(),
                 lrp->tokens.score != 0 ? 100 * std::abs(lrp->conservationError() / lrp->tokens.score) : 0.0);
  if (result.convergenceDelta) {
    const double change = result.score - result.baselineScore.value_or(0);
    std::fprintf(stderr, "convergence delta %.3g (%.1f%% of the score change %.4g)%s\n", *result.convergenceDelta,
                 change != 0 ? 100 * std::abs(*result.convergenceDelta / change) : 0.0, change,
                 std::abs(*result.convergenceDelta) > 0.05 * std::abs(change)
                     ? ": large; try more --steps or --rule gausslegendre"
                     : "");
  }
  return 0;
}

}  // namespace lstmscope::cli
