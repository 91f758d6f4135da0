#include "core/attribution/front_end_attribution.h"

#include <algorithm>
#include <iterator>

#include "core/attribution/occlusion.h"
#include "core/common/error.h"
#include "core/model/front_end_patch.h"
#include "core/model/step_layers_backward.h"
#include "core/model/window_layers.h"

namespace lstmscope {

namespace {

// The front end after its lookup, if any: the layers between the input vectors and the LSTM's features.
std::vector<StepLayer> differentiatedLayers(const Architecture& arch) {
  const auto first = arch.frontEndReadsTokens() ? std::next(arch.frontEnd.begin()) : arch.frontEnd.begin();
  return {first, arch.frontEnd.end()};
}

// The score at input vectors v through the front end, and optionally its gradient with respect to v.
struct ScoreAndGradient {
  double score = 0;
  Mat<double> gradient;
};

class FrontEndScore {
 public:
  FrontEndScore(const Architecture& arch, const Network<double>& net, const AttributionTarget& target)
      : layers_(differentiatedLayers(arch)), net_(net), target_(target) {}

  double score(const Mat<double>& v) const { return targetScore(net_, applyStepLayers(layers_, v), target_); }
  const std::vector<StepLayer>& layers() const { return layers_; }
  const Network<double>& net() const { return net_; }
  const AttributionTarget& target() const { return target_; }

  // d score / d v.
  Mat<double> gradient(const Mat<double>& v) const { return gradientFrom(stepLayerInputs(layers_, v)); }

  ScoreAndGradient scoreAndGradient(const Mat<double>& v) const {
    const std::vector<Eigen::MatrixXd> inputs = stepLayerInputs(layers_, v);
    return {targetScore(net_, inputs.back(), target_), gradientFrom(inputs)};
  }

 private:
  Mat<double> gradientFrom(const std::vector<Eigen::MatrixXd>& inputs) const {
    return stepLayersBackward(layers_, inputs, scoreGradient(net_, inputs.back(), target_));
  }

  std::vector<StepLayer> layers_;
  const Network<double>& net_;
  const AttributionTarget& target_;
};

TokenAttribution integratedGradientsThrough(const FrontEndScore& f, const Mat<double>& v, const Mat<double>& baseline,
                                            const AttributionSettings& s, const ProgressCallbacks& callbacks) {
  const Quadrature q = quadrature(s.rule, s.steps);
  const long points = static_cast<long>(q.alphas.size());
  Mat<double> average = Mat<double>::Zero(v.rows(), v.cols());
  for (long k = 0; k < points; ++k) {
    checkCancelled(callbacks);
    const Mat<double> point = baseline + q.alphas[static_cast<size_t>(k)] * (v - baseline);
    average += q.weights[static_cast<size_t>(k)] * f.gradient(point);
    reportProgress(callbacks, k + 1, points);
  }
  TokenAttribution a;
  a.score = f.score(v);
  a.baselineScore = f.score(baseline);
  a.perDimension = (v - baseline).cwiseProduct(average);
  a.perToken = a.perDimension.colwise().sum().transpose();
  a.convergenceDelta = a.perToken.sum() - (a.score - *a.baselineScore);
  return a;
}

// The last row the score can depend on: for a model that reads only the past and a target at a step (a head at
// every step, or a state unit), the last row any step up to the target's reads; else the last row.
long lastRowTheTargetReads(const Architecture& arch, const AttributionTarget& target, long rows) {
  const bool perStep = target.kind != TargetKind::Logit || (arch.head && arch.head->reads == HeadReads::EachStep);
  if (arch.looksAhead() || !perStep) return rows - 1;
  const std::vector<RowSpan> spans = rowsReadByStep(differentiatedLayers(arch), rows);
  if (spans.empty()) return std::min(target.step, rows - 1);
  long last = -1;
  for (long t = 0; t <= target.step && t < static_cast<long>(spans.size()); ++t)
    last = std::max(last, lastRowReadBy(spans, t));
  return last;
}

// Each row's score drop when a window of rows starting at every position is replaced by the baseline,
// averaged over the windows covering it (occlusion.h's definition, on the raw rows). The front end recomputes
// only the steps a window reaches, and the LSTM runs windows in batches from the clean run's state before
// their first changed step (occlusion.h's scoresOfEditedRuns). Windows after the last row the target reads
// change nothing and are not run (drop 0).
TokenAttribution occlusionThrough(const FrontEndScore& f, const Mat<double>& v, const Mat<double>& baseline, int window,
                                  long lastRowRead, const ProgressCallbacks& callbacks) {
  const long rows = v.cols(), w = std::clamp<long>(window, 1, std::max(rows, 1L)), starts = rows - w + 1;
  const FrontEndPatcher patcher(f.layers(), v);
  const Mat<double>& features = patcher.output();
  TokenAttribution a;
  a.score = targetScore(f.net(), features, f.target());
  a.baselineScore = f.score(baseline);
  const long runs = std::clamp(lastRowRead + 1, 0L, std::max(starts, 0L));
  const auto edit = [&](long start) { return patcher.patched({start, baseline.middleCols(start, w)}); };
  const Vec<double> occluded = scoresOfEditedRuns(f.net(), features, f.target(), a.score, runs, edit, callbacks);
  a.perToken = averagedOverWindows((a.score - occluded.array()).matrix(), rows, w);
  return a;
}

}  // namespace

bool attributesThroughFrontEnd(const Architecture& arch, AttributionMethod method) {
  return !arch.frontEnd.empty() && method != AttributionMethod::Lrp;
}

AttributedPositions attributedPositions(const Architecture& arch, bool onRawInput) {
  if (!onRawInput) return AttributedPositions::Steps;
  return arch.inputKind == InputKind::Features && !arch.frontEndReadsTokens() ? AttributedPositions::Rows
                                                                              : AttributedPositions::Tokens;
}

Mat<double> frontEndInputVectors(const Architecture& arch, const Mat<double>& raw) {
  if (!arch.frontEndReadsTokens()) return raw;
  return applyStepLayer(arch.frontEnd.front(), raw);
}

Mat<double> frontEndBaseline(const Architecture& arch, long rows, std::optional<int> token) {
  if (arch.frontEndReadsTokens()) {
    const Eigen::MatrixXd& table = arch.frontEnd.front().weight;
    if (!token) return Mat<double>::Zero(table.rows(), rows);
    if (*token < 0 || *token >= table.cols())
      throw InputError("the baseline token " + std::to_string(*token) + " is outside the embedding table");
    return table.col(*token).replicate(1, rows);
  }
  if (token) throw InputError("a token baseline needs a model that reads text; this one reads a table");
  return Mat<double>::Zero(arch.rawFeatureDim(), rows);
}

TokenAttribution attributeThroughFrontEnd(AttributionMethod method, const Network<double>& net, const Mat<double>& raw,
                                          const AttributionTarget& target, const AttributionSettings& settings,
                                          const ProgressCallbacks& callbacks) {
  const Architecture& arch = net.arch;
  if (!attributesThroughFrontEnd(arch, method))
    throw InputError(std::string(attributionMethodTitle(method)) + " stops at the LSTM's input features");
  const FrontEndScore f(arch, net, target);
  const Mat<double> v = frontEndInputVectors(arch, raw);
  const Mat<double> baseline = frontEndBaseline(arch, v.cols(), settings.baselineToken);
  TokenAttribution a;
  switch (method) {
    case AttributionMethod::Saliency: {
      const ScoreAndGradient g = f.scoreAndGradient(v);
      a.score = g.score;
      a.perToken = g.gradient.colwise().norm().transpose();
      return a;
    }
    case AttributionMethod::GradientTimesInput: {
      const ScoreAndGradient g = f.scoreAndGradient(v);
      a.score = g.score;
      a.perDimension = g.gradient.cwiseProduct(v);
      a.perToken = a.perDimension.colwise().sum().transpose();
      return a;
    }
    case AttributionMethod::IntegratedGradients:
      return integratedGradientsThrough(f, v, baseline, settings, callbacks);
    case AttributionMethod::Occlusion:
      return occlusionThrough(f, v, baseline, settings.window, lastRowTheTargetReads(arch, target, v.cols()),
                              callbacks);
    case AttributionMethod::Lrp:
      break;
  }
  return a;
}

}  // namespace lstmscope
