#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/import_options.h"

namespace lstmscope::cli {
namespace {

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

// "cell:1/fwd/7" -> a cell target (the step is set by the caller).
AttributionTarget parseTargetUnit(const std::string& spec) {
  const auto bad = [&] {
    return UsageError("--target-unit must look like cell:0/fwd/7 or hidden:1/bwd/3, not '" + spec + "'");
  };
  const size_t colon = spec.find(':'), slash1 = spec.find('/'), slash2 = spec.rfind('/');
  if (colon == std::string::npos || slash1 == std::string::npos || slash1 == slash2 || slash1 < colon) throw bad();
  const std::string kind = spec.substr(0, colon), dir = spec.substr(slash1 + 1, slash2 - slash1 - 1);
  if ((kind != "cell" && kind != "hidden") || (dir != "fwd" && dir != "bwd")) throw bad();
  // Whole numbers only: no sign, no blanks, nothing after them (std::stoi would take " 7", "+7" and "7x").
  const auto number = [&](const std::string& digits) {
    int value = 0;
    if (!plainWholeNumber(digits, value)) throw bad();
    return value;
  };
  const int l = number(spec.substr(colon + 1, slash1 - colon - 1)), u = number(spec.substr(slash2 + 1));
  return stateTarget(kind == "cell" ? TargetKind::Cell : TargetKind::Hidden, l, dir == "fwd" ? 0 : 1, u, 0);
}

}  // namespace

std::string attributionMethodNames(const std::string& separator, const std::string& last) {
  return listed(kAllAttributionMethods, attributionMethodName, separator, last);
}

std::string quadratureRuleNames(const std::string& separator, const std::string& last) {
  return listed(kQuadratureRules, quadratureRuleName, separator, last);
}

std::string baselineNames(const std::string& separator, const std::string& last) {
  return listed(
      kBaselineNames, [](const char* name) { return name; }, separator, last);
}

AttributeOutput attributeOutputFor(const std::string& path) {
  if (path.ends_with(".json")) return AttributeOutput::Json;
  if (path.ends_with(".csv")) return AttributeOutput::Csv;
  if (path.ends_with(".png") || path.ends_with(".svg") || path.ends_with(".pdf")) return AttributeOutput::Figure;
  throw UsageError("--out must end in .json, .csv, .png, .svg or .pdf");
}

AttributeOptions parseAttributeOptions(const std::vector<std::string>& args) {
  const Args a(args,
               withImportOptions({"model", "text", "text-file", "csv", "label-column", "method", "target-step",
                                  "target", "steps", "rule", "baseline", "window", "out", "eps", "bias-factor",
                                  "target-unit", "precision"}),
               {});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  AttributeOptions o;
  o.input = inputOptionsFrom(a);
  const std::string method = a.require("method");
  o.out = a.require("out");
  if (!parseAttributionMethod(method, o.method))
    throw UsageError("unknown --method '" + method + "' (" + attributionMethodNames(", ", ", ") + ")");
  // An option the method does not use would be silently ignored (docs/CLI.md's "used by" column).
  static const std::pair<const char*, std::vector<std::string>> kUsedBy[] = {
      {"steps", {"ig"}},         {"rule", {"ig"}}, {"baseline", {"ig", "occlusion"}}, {"precision", {"ig"}},
      {"window", {"occlusion"}}, {"eps", {"lrp"}}, {"bias-factor", {"lrp"}}};
  for (const auto& [option, methods] : kUsedBy)
    if (a.has(option) && std::find(methods.begin(), methods.end(), method) == methods.end())
      throw UsageError("--" + std::string(option) + " is not used by --method " + method);
  AttributionSettings& s = o.settings;
  s.lrp.epsilon = a.getDouble("eps", s.lrp.epsilon);
  s.lrp.biasFactor = a.getDouble("bias-factor", s.lrp.biasFactor);
  if (!(s.lrp.epsilon >= 0) || !std::isfinite(s.lrp.epsilon)) throw UsageError("--eps must be a number >= 0");
  if (!std::isfinite(s.lrp.biasFactor)) throw UsageError("--bias-factor must be a number");
  (void)attributeOutputFor(o.out);
  checkOutputPath(o.out, {a.get("model"), a.get("text-file"), a.get("csv"), a.get("vocab")});
  if (a.has("rule") && !parseQuadratureRule(a.get("rule"), s.rule))
    throw UsageError("--rule must be " + quadratureRuleNames(", ", " or "));
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
  if (a.has("target-step")) o.targetStep = a.getLong("target-step", 0, 0, std::numeric_limits<long>::max());
  if (a.has("target")) o.targetOutput = a.getInt("target", 0, 0, std::numeric_limits<int>::max());
  if (a.has("target-unit")) {
    if (a.has("target")) throw UsageError("give --target (a logit) or --target-unit (a state unit), not both");
    o.targetUnit = parseTargetUnit(a.get("target-unit"));
  }
  return o;
}

}  // namespace lstmscope::cli
