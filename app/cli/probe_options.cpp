// Options of `probe` (docs/CLI.md "probe"): what to ask about, where the values come from (a trace, or a
// model run on an input through record's own options), and what to write.
#include <sstream>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/import_options.h"
#include "core/analysis/regex_track.h"
#include "core/analysis/text_labels.h"

namespace lstmscope::cli {
namespace {

// record's options that choose the model and the input, passed on to it unchanged.
const std::set<std::string> kRecordValued =
    withImportOptions({"model", "text", "csv", "corpus", "label-column", "precision", "max-steps", "batch"});

void checkLabelSpec(const std::string& spec, bool fromTrace) {
  if (spec.rfind("builtin:", 0) == 0) {
    if (findBuiltinLabel(spec.substr(8)) == nullptr)
      throw UsageError("--label: unknown builtin '" + spec.substr(8) + "' (" + builtinLabelNames() + ")");
  } else if (spec.rfind("regex:", 0) == 0) {
    if (spec.size() == 6) throw UsageError("--label regex: needs a pattern after 'regex:'");
    if (const std::string problem = regexProblem(spec.substr(6)); !problem.empty())
      throw UsageError("--label: the regular expression '" + spec.substr(6) + "' is invalid: " + problem);
  } else if (spec.rfind("file:", 0) == 0) {
    if (spec.size() == 5) throw UsageError("--label file: needs a path after 'file:'");
  } else if (spec.rfind("meta:", 0) == 0) {
    if (!fromTrace) throw UsageError("--label meta:NAME reads a meta track of a trace: give --trace");
  } else {
    throw UsageError("--label must be builtin:NAME, regex:PATTERN, file:LABELS.tsv or meta:NAME, not '" + spec + "'");
  }
}

std::vector<Quantity> parseProbeQuantities(const std::string& list) {
  if (list == "all") return {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H};
  std::vector<Quantity> out;
  std::stringstream s(list);
  for (std::string name; std::getline(s, name, ',');) {
    Quantity q;
    if (!parseQuantity(name, q) || isPreactivation(q))
      throw UsageError("--quantity must be all or a list of i, f, g, o, c, h, not '" + list + "'");
    if (std::find(out.begin(), out.end(), q) != out.end()) throw UsageError("--quantity names '" + name + "' twice");
    out.push_back(q);
  }
  if (out.empty()) throw UsageError("--quantity is empty");
  return out;
}

std::vector<int> parseLayers(const std::string& list) {
  if (list == "all") return {};
  std::vector<int> out;
  std::stringstream s(list);
  for (std::string item; std::getline(s, item, ',');) {
    int layer = 0;
    if (!plainWholeNumber(item, layer)) throw UsageError("--layers must be all or layer numbers, not '" + list + "'");
    if (std::find(out.begin(), out.end(), layer) != out.end()) throw UsageError("--layers names " + item + " twice");
    out.push_back(layer);
  }
  if (out.empty()) throw UsageError("--layers is empty");
  return out;
}

}  // namespace

ProbeCommandOptions parseProbeOptions(const std::vector<std::string>& args) {
  std::set<std::string> valued = kRecordValued;
  for (const char* o : {"trace", "label", "quantity", "layers", "probe", "metric", "top", "alpha", "c", "penalty",
                        "seed", "threads", "out", "figure"})
    valued.insert(o);
  const Args a(args, valued, {"no-l1-path"}, {"text-file"});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  ProbeCommandOptions o;
  o.out = a.require("out");
  o.output = attributeOutputFor(o.out);  // .json, .csv, .png, .svg or .pdf
  std::vector<std::string> inputs;
  if (a.has("trace")) {
    o.tracePath = a.require("trace");
    for (const std::string& name : kRecordValued)
      if (a.has(name)) throw UsageError("--trace reads recorded values: --" + name + " does not apply");
    if (a.has("text-file")) throw UsageError("--trace reads recorded values: --text-file does not apply");
    inputs.push_back(o.tracePath);
  } else {
    if (!a.has("model")) throw UsageError("give --trace TRACE.h5, or --model MODEL with an input");
    for (const std::string& name : kRecordValued)
      for (const std::string& value : a.all(name)) o.recordArgs.insert(o.recordArgs.end(), {"--" + name, value});
    for (const std::string& value : a.all("text-file")) o.recordArgs.insert(o.recordArgs.end(), {"--text-file", value});
    inputOptionsFrom(a);  // exactly one input: the usage error is said here, before the model is read
    for (const std::string& in : {a.get("model"), a.get("csv"), a.get("corpus"), a.get("vocab")}) inputs.push_back(in);
    for (const std::string& in : a.all("text-file")) inputs.push_back(in);
  }
  o.label = a.require("label");
  checkLabelSpec(o.label, !o.tracePath.empty());
  if (o.label.rfind("file:", 0) == 0) inputs.push_back(o.label.substr(5));
  checkOutputPath(o.out, inputs);
  o.quantities = parseProbeQuantities(a.get("quantity", "c"));
  o.layers = parseLayers(a.get("layers", "all"));
  const std::string probe = a.get("probe", "");
  if (probe == "none")
    o.noProbe = true;
  else if (probe == "ridge")
    o.probe = ProbeKind::Ridge;
  else if (probe == "logistic")
    o.probe = ProbeKind::Logistic;
  else if (!probe.empty())
    throw UsageError("--probe must be logistic, ridge or none, not '" + probe + "'");
  if (a.has("metric")) {
    RankingMetric m;
    if (!parseRankingMetric(a.get("metric"), m))
      throw UsageError("--metric must be pearson, spearman, auc or iou, not '" + a.get("metric") + "'");
    o.metric = m;
  }
  o.top = a.getInt("top", o.top, 1, 100'000'000);
  o.alpha = a.getDouble("alpha", o.alpha);
  o.c = a.getDouble("c", o.c);
  if (!(o.alpha > 0) || !std::isfinite(o.alpha)) throw UsageError("--alpha must be a finite number > 0");
  if (!(o.c > 0) || !std::isfinite(o.c)) throw UsageError("--c must be a finite number > 0");
  const std::string penalty = a.get("penalty", "l2");
  if (penalty != "l1" && penalty != "l2") throw UsageError("--penalty must be l2 or l1, not '" + penalty + "'");
  o.penalty = penalty == "l1" ? ProbePenalty::L1 : ProbePenalty::L2;
  o.l1Path = !a.has("no-l1-path");
  if (o.noProbe && (a.has("penalty") || a.has("no-l1-path")))
    throw UsageError("--probe none trains no probe: --penalty and --no-l1-path do not apply");
  const std::string figure = a.get("figure", "ranking");
  if (figure != "ranking" && figure != "curve" && figure != "l1-path")
    throw UsageError("--figure must be ranking, curve or l1-path, not '" + figure + "'");
  o.figure = figure == "curve" ? ProbeFigure::Curve : figure == "l1-path" ? ProbeFigure::L1Path : ProbeFigure::Ranking;
  if (a.has("figure") && o.output != AttributeOutput::Figure)
    throw UsageError("--figure chooses what a .png, .svg or .pdf shows; --out " + o.out + " is not one");
  if (o.figure != ProbeFigure::Ranking && o.noProbe)
    throw UsageError("--figure " + figure + " draws the probes: it does not go with --probe none");
  if (o.figure == ProbeFigure::L1Path && !o.l1Path)
    throw UsageError("--figure l1-path draws the L1 path: it does not go with --no-l1-path");
  o.seed = static_cast<uint64_t>(a.getLong("seed", 1, 0, std::numeric_limits<long>::max()));
  o.threads = parseThreads(a.getLong("threads", 0));
  return o;
}

}  // namespace lstmscope::cli
