#include "core/attribution/attribution_report.h"

#include <algorithm>

#include "core/common/error.h"

namespace lstmscope {

const char* attributionMethodName(AttributionMethod m) {
  switch (m) {
    case AttributionMethod::Saliency:
      return "saliency";
    case AttributionMethod::GradientTimesInput:
      return "gradxinput";
    case AttributionMethod::IntegratedGradients:
      return "ig";
    case AttributionMethod::Lrp:
      return "lrp";
    case AttributionMethod::Occlusion:
      return "occlusion";
  }
  return "";
}

const char* attributionMethodTitle(AttributionMethod m) {
  switch (m) {
    case AttributionMethod::Saliency:
      return "Saliency";
    case AttributionMethod::GradientTimesInput:
      return "Gradient \u00d7 input";
    case AttributionMethod::IntegratedGradients:
      return "Integrated Gradients";
    case AttributionMethod::Lrp:
      return "LRP";
    case AttributionMethod::Occlusion:
      return "Occlusion";
  }
  return "";
}

bool parseAttributionMethod(const std::string& name, AttributionMethod& out) {
  for (const AttributionMethod m : kAllAttributionMethods)
    if (name == attributionMethodName(m)) return out = m, true;
  return false;
}

std::optional<int> baselineTokenNamed(const Architecture& arch, const std::string& name, const std::string& source) {
  if (name == "zero") return std::nullopt;
  if (name == "unk") {
    if (arch.vocab.unkId() < 0) throw InputError(source, "the vocabulary has no UNK token for the unk baseline");
    return arch.vocab.unkId();
  }
  if (name == "pad") {
    const auto& tokens = arch.vocab.tokens();
    for (const char* pad : {"<pad>", "<PAD>", "[PAD]"})
      for (size_t k = 0; k < tokens.size(); ++k)
        if (tokens[k] == pad) return static_cast<int>(k);
    throw InputError(source, "the vocabulary has no pad token (<pad>, <PAD> or [PAD]) for the pad baseline");
  }
  throw InputError("the baseline must be zero, unk or pad, not '" + name + "'");
}

MethodAttribution runAttributionMethod(AttributionMethod method, const Network<double>& vectors, const Mat<double>& x,
                                       const Mat<double>& baseline, const AttributionTarget& target,
                                       const AttributionSettings& s) {
  MethodAttribution out{method, {}, std::nullopt};
  switch (method) {
    case AttributionMethod::Saliency:
      out.values = saliency(vectors, x, target);
      break;
    case AttributionMethod::GradientTimesInput:
      out.values = gradientTimesInput(vectors, x, target);
      break;
    case AttributionMethod::IntegratedGradients:
      out.values = integratedGradients(vectors, x, baseline, target, s.rule, s.steps, s.precision);
      break;
    case AttributionMethod::Lrp:
      out.lrp = layerwiseRelevance(vectors, x, target, s.lrp);
      out.values = out.lrp->tokens;
      break;
    case AttributionMethod::Occlusion:
      out.values = occlusion(vectors, x, baseline, target, s.window);
      break;
  }
  return out;
}

namespace {

// Columns beyond m's filled with zeros, up to `steps`.
Mat<double> padSteps(const Mat<double>& m, long steps) {
  if (m.size() == 0 || m.cols() == steps) return m;
  Mat<double> out = Mat<double>::Zero(m.rows(), steps);
  out.leftCols(m.cols()) = m;
  return out;
}

Vec<double> padSteps(const Vec<double>& v, long steps) {
  Vec<double> out = Vec<double>::Zero(steps);
  out.head(v.size()) = v;
  return out;
}

void padSteps(UnitAttribution& u, long steps) {
  for (auto* quantity : {&u.h, &u.c})
    for (auto& layer : *quantity)
      for (auto& direction : layer) direction = padSteps(direction, steps);
}

// How many leading tokens the target can depend on: a model that only reads the past cannot be moved by
// tokens after the target's step, so their attribution is exactly zero and need not be computed (the
// app attributes the current step of long texts this way). Occlusion windows wider than one token
// average over windows that reach past the step, so they need the whole text.
long stepsNeeded(const Network<double>& net, const AttributionRequest& r, long steps) {
  const bool forwardOnly = !net.arch.looksAhead();
  const bool perStep = r.target.kind != TargetKind::Logit || net.arch.head->reads == HeadReads::EachStep;
  const bool wideOcclusion =
      r.settings.window > 1 && std::count(r.methods.begin(), r.methods.end(), AttributionMethod::Occlusion) > 0;
  return forwardOnly && perStep && !wideOcclusion ? std::min(steps, r.target.step + 1) : steps;
}

}  // namespace

AttributionReport computeAttribution(const Network<double>& net, const Inputs<double>& tokens,
                                     const AttributionRequest& request, const ProgressCallbacks& callbacks) {
  const Network<double> vectors = onInputVectors(net);
  validateTarget(vectors, tokens.steps, request.target);
  const long T = tokens.steps, used = stepsNeeded(net, request, T);
  const Mat<double> all = inputVectors(net, tokens);
  const Mat<double> x = all.leftCols(used);
  const Mat<double> baseline = baselineVectors(net, used, request.settings.baselineToken);
  AttributionReport report;
  report.target = request.target;
  const long total = static_cast<long>(request.methods.size()) + request.unitAttribution + 4 * request.allTargetsMatrix;
  long done = 0;
  const auto step = [&](long units) {
    checkCancelled(callbacks);
    done += units;
    reportProgress(callbacks, done, total);
  };
  for (const AttributionMethod m : request.methods) {
    MethodAttribution a = runAttributionMethod(m, vectors, x, baseline, request.target, request.settings);
    a.values.perToken = padSteps(a.values.perToken, T);
    a.values.perDimension = padSteps(a.values.perDimension, T);
    if (a.lrp) a.lrp->tokens = a.values, padSteps(a.lrp->units, T);
    report.methods.push_back(std::move(a));
    step(1);
  }
  if (request.unitAttribution) {
    report.gradientUnits = unitAttribution(vectors, x, request.target);
    padSteps(report.gradientUnits, T);
    const auto lrp = std::find_if(report.methods.begin(), report.methods.end(),
                                  [](const MethodAttribution& m) { return m.lrp.has_value(); });
    if (lrp != report.methods.end()) {
      report.relevanceUnits = lrp->lrp->units;
    } else {
      report.relevanceUnits = layerwiseRelevance(vectors, x, request.target, request.settings.lrp).units;
      padSteps(report.relevanceUnits, T);
    }
    step(1);
  }
  if (request.allTargetsMatrix) {
    ProgressCallbacks inner;
    inner.cancelled = callbacks.cancelled;
    const long before = done;
    inner.progress = [&](long d, long t) { reportProgress(callbacks, before + 4 * d / std::max(1L, t), total); };
    // Targets of the chosen steps; their inputs up to the last of them (all of them for a model that also
    // reads the future).
    const long end = request.matrixEnd < 0 ? T : std::clamp(request.matrixEnd, 1L, T);
    const long first = std::clamp(request.matrixFirst, 0L, end - 1);
    std::vector<AttributionTarget> targets = defaultTargetsOfEveryStep(net, tokens);
    targets = std::vector<AttributionTarget>(targets.begin() + first, targets.begin() + end);
    const bool forwardOnly = !net.arch.looksAhead();
    const Mat<double> inputs = forwardOnly ? Mat<double>(all.leftCols(end)) : all;
    report.matrix = allTargetsMatrix(vectors, inputs, targets, MatrixMethod::GradientTimesInput, inner);
    report.matrixFirst = first;
    step(4);
  }
  return report;
}

}  // namespace lstmscope
