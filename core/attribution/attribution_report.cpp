#include "core/attribution/attribution_report.h"

#include <algorithm>

#include "core/attribution/front_end_attribution.h"
#include "core/attribution/occlusion.h"
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
                                       const AttributionSettings& s, const ProgressCallbacks& callbacks) {
  MethodAttribution out{method, {}, std::nullopt};
  switch (method) {
    case AttributionMethod::Saliency:
      out.values = saliency(vectors, x, target);
      break;
    case AttributionMethod::GradientTimesInput:
      out.values = gradientTimesInput(vectors, x, target);
      break;
    case AttributionMethod::IntegratedGradients:
      out.values = integratedGradients(vectors, x, baseline, target, s.rule, s.steps, s.precision, callbacks);
      break;
    case AttributionMethod::Lrp:
      out.lrp = layerwiseRelevance(vectors, x, target, s.lrp);
      out.values = out.lrp->tokens;
      break;
    case AttributionMethod::Occlusion:
      out.values = occlusion(vectors, x, baseline, target, s.window, callbacks);
      break;
  }
  return out;
}

long attributionMethodCost(AttributionMethod method, const AttributionSettings& settings, long steps) {
  switch (method) {
    case AttributionMethod::IntegratedGradients:
      return static_cast<long>(quadrature(settings.rule, settings.steps).alphas.size());
    case AttributionMethod::Occlusion:  // a run per window, on average over half the text
      return std::max(1L, (steps - std::clamp<long>(settings.window, 1, steps) + 1) / 2);
    default:
      return 1;
  }
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
  const bool throughFrontEnd = request.rawInput.size() > 0;
  // A token baseline is a token's embedding: for a front end that reads text, one before the front end.
  if (request.settings.baselineToken && !net.arch.frontEnd.empty() && !throughFrontEnd)
    throw InputError("the " + request.settings.baselineName +
                     " baseline is a token's vector, which this model reads only before its front end");
  const Mat<double> baseline =
      baselineVectors(net, used, net.arch.frontEnd.empty() ? request.settings.baselineToken : std::nullopt);
  AttributionReport report;
  report.target = request.target;
  // The targets of the matrix, if asked for: their inputs up to the last of them (all of them for a model
  // that also reads the future).
  const long matrixEnd = request.matrixEnd < 0 ? T : std::clamp(request.matrixEnd, 1L, T);
  const long matrixFirst = std::clamp(request.matrixFirst, 0L, matrixEnd - 1);
  // Progress counts passes over the text (one forward and backward pass at batch 1), roughly.
  const long matrixCost = std::max(4L, (matrixEnd - matrixFirst) / 4);
  long total = 2 * request.unitAttribution + matrixCost * request.allTargetsMatrix;
  for (const AttributionMethod m : request.methods)
    total += attributionMethodCost(
        m, request.settings,
        throughFrontEnd && attributesThroughFrontEnd(net.arch, m) ? request.rawInput.cols() : used);
  long done = 0, reported = 0;
  // Each value is passed on once, in increasing order (a part's own last report equals its end).
  const auto progressTo = [&](long value) {
    if (value > reported) reported = value, reportProgress(callbacks, value, total);
  };
  // Callbacks for a part of cost `cost` that reports its own progress; then `finished` after it.
  const auto part = [&](long cost) {
    ProgressCallbacks inner;
    inner.cancelled = callbacks.cancelled;
    const long before = done;
    inner.progress = [&progressTo, before, cost](long d, long t) { progressTo(before + cost * d / std::max(1L, t)); };
    return inner;
  };
  const auto finished = [&](long cost) {
    checkCancelled(callbacks);
    done += cost;
    progressTo(done);
  };
  for (const AttributionMethod m : request.methods) {
    if (throughFrontEnd && attributesThroughFrontEnd(net.arch, m)) {
      const long cost = attributionMethodCost(m, request.settings, request.rawInput.cols());
      report.methods.push_back(
          {m, attributeThroughFrontEnd(m, vectors, request.rawInput, request.target, request.settings, part(cost)),
           std::nullopt, true});
      finished(cost);
      continue;
    }
    const long cost = attributionMethodCost(m, request.settings, used);
    MethodAttribution a = runAttributionMethod(m, vectors, x, baseline, request.target, request.settings, part(cost));
    a.values.perToken = padSteps(a.values.perToken, T);
    a.values.perDimension = padSteps(a.values.perDimension, T);
    if (a.lrp) a.lrp->tokens = a.values, padSteps(a.lrp->units, T);
    report.methods.push_back(std::move(a));
    finished(cost);
  }
  if (request.unitAttribution) {
    report.gradientUnits = unitAttribution(vectors, x, request.target);
    padSteps(report.gradientUnits, T);
    finished(1);
    const auto lrp = std::find_if(report.methods.begin(), report.methods.end(),
                                  [](const MethodAttribution& m) { return m.lrp.has_value(); });
    if (lrp != report.methods.end()) {
      report.relevanceUnits = lrp->lrp->units;
    } else {
      report.relevanceUnits = layerwiseRelevance(vectors, x, request.target, request.settings.lrp).units;
      padSteps(report.relevanceUnits, T);
    }
    finished(1);
  }
  if (request.allTargetsMatrix) {
    std::vector<AttributionTarget> targets = defaultTargetsOfEveryStep(net, tokens);
    targets = std::vector<AttributionTarget>(targets.begin() + matrixFirst, targets.begin() + matrixEnd);
    const bool forwardOnly = !net.arch.looksAhead();
    const Mat<double> inputs = forwardOnly ? Mat<double>(all.leftCols(matrixEnd)) : all;
    report.matrix = allTargetsMatrix(vectors, inputs, targets, MatrixMethod::GradientTimesInput, part(matrixCost));
    report.matrixFirst = matrixFirst;
    finished(matrixCost);
  }
  return report;
}

}  // namespace lstmscope
