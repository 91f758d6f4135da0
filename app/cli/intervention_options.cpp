#include "app/cli/intervention_options.h"

#include <cmath>
#include <limits>

#include "app/cli/cli_args.h"
#include "app/cli/import_options.h"
#include "core/common/error.h"

namespace lstmscope::cli {
namespace {

ModelOption modelFrom(const Args& a) {
  return {a.require("model"), a.get("vocab"), importChoicesFrom(a)};
}

void noPositional(const Args& a) {
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
}

// A single text or table: the intervention commands do not read corpora.
InputOptions singleInput(const Args& a) {
  const InputOptions in = inputOptionsFrom(a);
  if (in.isCorpus()) throw UsageError("give one text (--text, --text-file or --csv), not a corpus");
  return in;
}

std::vector<InterventionSpec> specsFrom(const Args& a) {
  std::vector<InterventionSpec> specs;
  for (const std::string& text : a.all("set")) {
    try {
      specs.push_back(parseInterventionSpec(text));
    } catch (const InputError& e) {
      throw UsageError(std::string("--set ") + e.what());
    }
  }
  return specs;
}

// --precision float (default) or double.
bool doubleFrom(const Args& a) {
  const std::string p = a.get("precision", "float");
  if (p != "float" && p != "double") throw UsageError("--precision must be float or double");
  return p == "double";
}

TargetOption targetFrom(const Args& a) {
  TargetOption t;
  if (a.has("target-step")) t.step = a.getLong("target-step", 0, 0, std::numeric_limits<int>::max());
  if (a.has("target")) t.output = a.getInt("target", 0, 0, std::numeric_limits<int>::max());
  if (a.has("target-unit")) {
    if (a.has("target")) throw UsageError("give --target (an output) or --target-unit (a unit), not both");
    const std::string spec = a.get("target-unit");
    const auto bad = [&] {
      return UsageError(
          "--target-unit must look like c:1/fwd/7 (quantity i f g o c or h, layer, direction, unit), not '" + spec +
          "'");
    };
    const size_t colon = spec.find(':'), slash = spec.rfind('/');
    if (colon == std::string::npos || slash == std::string::npos || slash < colon) throw bad();
    QuantityOption q;
    try {
      parseQuantitySpec(spec.substr(colon + 1, slash - colon - 1) + "/" + spec.substr(0, colon), q);
    } catch (const UsageError&) {
      throw bad();
    }
    if (isPreactivation(q.quantity) || !plainWholeNumber(spec.substr(slash + 1), t.unitIndex)) throw bad();
    t.unit = q;
    if (a.has("score")) throw UsageError("--score applies to a head output, not to --target-unit");
  }
  if (a.has("score")) {
    const std::string s = a.get("score");
    if (s != "logit" && s != "logprob") throw UsageError("--score must be logit or logprob");
    t.logProbability = s == "logprob";
  }
  return t;
}

// --steps A:B, either side optional.
void stepsFrom(const Args& a, std::optional<long>& first, std::optional<long>& end) {
  if (!a.has("steps")) return;
  const std::string s = a.get("steps");
  const size_t colon = s.find(':');
  const auto bad = [&] { return UsageError("--steps must be A:B (either may be left out), not '" + s + "'"); };
  if (colon == std::string::npos) throw bad();
  int v = 0;
  if (colon > 0) {
    if (!plainWholeNumber(s.substr(0, colon), v)) throw bad();
    first = v;
  }
  if (colon + 1 < s.size()) {
    if (!plainWholeNumber(s.substr(colon + 1), v)) throw bad();
    end = v;
  }
  if (first && end && *end <= *first) throw UsageError("--steps " + s + " is empty (B must be greater than A)");
}

}  // namespace

InterveneOptions parseInterveneOptions(const std::vector<std::string>& args) {
  const Args a(
      args,
      withImportOptions({"model", "text", "text-file", "csv", "label-column", "set", "out", "precision", "quantities"}),
      {"no-outputs", "quiet"}, {"set"});
  noPositional(a);
  InterveneOptions o;
  o.model = modelFrom(a);
  o.input = singleInput(a);
  o.specs = specsFrom(a);
  if (o.specs.empty()) throw UsageError("give at least one --set L/DIR/Q:U[@A:B]=V");
  o.out = a.require("out");
  if (!o.out.ends_with(".h5")) throw UsageError("--out must end in .h5 (a trace)");
  checkOutputPath(o.out, {o.model.path, o.model.vocabPath, o.input.textFile, o.input.csvFile});
  const std::string precision = a.get("precision", "float");
  if (precision != "float" && precision != "double" && precision != "float16")
    throw UsageError("--precision must be float, double or float16");
  o.doublePrecision = precision == "double";
  o.float16 = precision == "float16";
  if (a.has("quantities")) {
    o.request.quantities.clear();
    const std::string list = a.get("quantities");
    size_t start = 0;
    while (start <= list.size()) {
      const size_t comma = std::min(list.find(',', start), list.size());
      Quantity q{};
      if (!parseQuantity(list.substr(start, comma - start), q) || isPreactivation(q))
        throw UsageError("--quantities must list i, f, g, o, c or h separated by commas, not '" + list + "'");
      o.request.quantities.push_back(q);
      start = comma + 1;
    }
  }
  o.request.outputs = !a.has("no-outputs");
  o.quiet = a.has("quiet");
  return o;
}

AblateOptions parseAblateOptions(const std::vector<std::string>& args) {
  const Args a(args,
               withImportOptions({"model", "text", "text-file", "csv", "label-column", "quantity", "steps", "value",
                                  "target-step", "target", "target-unit", "score", "out", "precision"}),
               {"map"});
  noPositional(a);
  AblateOptions o;
  o.model = modelFrom(a);
  o.input = singleInput(a);
  parseQuantitySpec(a.require("quantity"), o.what);
  if (isPreactivation(o.what.quantity)) throw UsageError("--quantity must be a gate, c or h (not a pre-activation)");
  stepsFrom(a, o.firstStep, o.endStep);
  const std::string value = a.get("value", "zero");
  if (value != "zero" && value != "mean") throw UsageError("--value must be zero or mean");
  o.toMean = value == "mean";
  o.map = a.has("map");
  o.target = targetFrom(a);
  o.out = a.require("out");
  (void)attributeOutputFor(o.out);
  checkOutputPath(o.out, {o.model.path, o.model.vocabPath, o.input.textFile, o.input.csvFile});
  o.doublePrecision = doubleFrom(a);
  return o;
}

PatchOptions parsePatchOptions(const std::vector<std::string>& args) {
  const Args a(args,
               withImportOptions({"model", "clean", "corrupt", "quantity", "target-step", "target", "target-unit",
                                  "score", "out", "precision"}),
               {});
  noPositional(a);
  PatchOptions o;
  o.model = modelFrom(a);
  o.clean = a.require("clean");
  o.corrupt = a.require("corrupt");
  parseQuantitySpec(a.require("quantity"), o.what);
  if (isPreactivation(o.what.quantity)) throw UsageError("--quantity must be a gate, c or h (not a pre-activation)");
  o.target = targetFrom(a);
  o.out = a.require("out");
  (void)attributeOutputFor(o.out);
  checkOutputPath(o.out, {o.model.path, o.model.vocabPath});
  o.doublePrecision = doubleFrom(a);
  return o;
}

GenerateOptions parseGenerateOptions(const std::vector<std::string>& args) {
  const Args a(args, withImportOptions({"model", "prompt", "set", "tokens", "temperature", "seed", "out", "precision"}),
               {}, {"set"});
  noPositional(a);
  GenerateOptions o;
  o.model = modelFrom(a);
  o.prompt = a.require("prompt");
  o.specs = specsFrom(a);
  o.tokens = a.getInt("tokens", o.tokens, 1, 100000);
  o.temperature = a.getDouble("temperature", 0);
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature) || o.temperature > 100)
    throw UsageError("--temperature must be a number from 0 (greedy) to 100");
  o.seed = static_cast<uint64_t>(a.getLong("seed", 1, 0, std::numeric_limits<long>::max()));
  o.out = a.get("out");
  if (a.has("out")) {
    if (!o.out.ends_with(".json")) throw UsageError("--out must end in .json");
    checkOutputPath(o.out, {o.model.path, o.model.vocabPath});
  }
  o.doublePrecision = doubleFrom(a);
  return o;
}

}  // namespace lstmscope::cli
