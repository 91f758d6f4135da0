#include "core/attribution/attribution_report.h"

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
      out.values = integratedGradients(vectors, x, baseline, target, s.rule, s.steps);
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

AttributionReport computeAttribution(const Network<double>& net, const Inputs<double>& tokens,
                                     const AttributionRequest& request, const ProgressCallbacks& callbacks) {
  const Network<double> vectors = onInputVectors(net);
  const Mat<double> x = inputVectors(net, tokens);
  const Mat<double> baseline = baselineVectors(net, tokens.steps, request.settings.baselineToken);
  validateTarget(vectors, tokens.steps, request.target);
  AttributionReport report;
  report.target = request.target;
  const long total = static_cast<long>(request.methods.size()) + request.unitAttribution + 4 * request.allTargetsMatrix;
  long done = 0;
  const auto step = [&](long units) {
    if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
    done += units;
    if (callbacks.progress) callbacks.progress(done, total);
  };
  for (const AttributionMethod m : request.methods) {
    report.methods.push_back(runAttributionMethod(m, vectors, x, baseline, request.target, request.settings));
    step(1);
  }
  if (request.unitAttribution) {
    report.gradientUnits = unitAttribution(vectors, x, request.target);
    step(1);
  }
  if (request.allTargetsMatrix) {
    ProgressCallbacks inner;
    inner.cancelled = callbacks.cancelled;
    const long before = done;
    inner.progress = [&](long d, long t) {
      if (callbacks.progress) callbacks.progress(before + 4 * d / std::max(1L, t), total);
    };
    report.matrix =
        allTargetsMatrix(vectors, x, defaultTargetsOfEveryStep(net, tokens), MatrixMethod::GradientTimesInput, inner);
    step(4);
  }
  return report;
}

}  // namespace lstmscope
