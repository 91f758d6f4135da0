#include "core/probing/l1_path.h"

#include <cmath>

namespace lstmscope {

L1Path l1Path(const Mat<double>& train, const std::vector<double>& trainLabels, const Mat<double>& test,
              const std::vector<double>& testLabels, LabelKind labelKind, int classes, const ProbeSettings& full,
              double fullTestScore, const ProgressCallbacks& callbacks) {
  constexpr int kPoints = 16;
  const double factor = std::pow(10.0, 0.25);
  const ProbeKind kind = full.kind;
  ProbeSettings refit = full;
  refit.penalty = ProbePenalty::L2;
  L1Path path;
  path.kind = kind;
  if (std::isfinite(fullTestScore) && fullTestScore > 0) path.target = 0.95 * fullTestScore;
  const double edge = sparsityEdge(train, trainLabels, labelKind, classes, kind);
  if (!std::isfinite(edge) || !(edge > 0)) return path;  // no feature varies: no unit can carry the label
  ProbeSettings settings;
  settings.kind = kind, settings.penalty = ProbePenalty::L1;
  LinearProbe previous;
  for (int k = 1; k <= kPoints; ++k) {
    checkCancelled(callbacks);
    // The lasso's alpha falls from the edge, the logistic probe's C (an inverse penalty) rises from it.
    const double step = std::pow(factor, k);
    (kind == ProbeKind::Ridge ? settings.alpha : settings.c) = kind == ProbeKind::Ridge ? edge / step : edge * step;
    const LinearProbe probe =
        fitSparseProbe(train, trainLabels, labelKind, classes, settings, k > 1 ? &previous : nullptr);
    L1PathPoint point;
    point.penalty = kind == ProbeKind::Ridge ? settings.alpha : settings.c;
    point.units = featuresUsed(probe);
    point.trainScore = probeScore(probe, predictWithProbe(probe, train), trainLabels);
    point.testScore = probeScore(probe, predictWithProbe(probe, test), testLabels);
    point.refitTrainScore = point.trainScore, point.refitTestScore = point.testScore;
    std::vector<long> used;
    for (long j = 0; j < probe.weights.cols(); ++j)
      if ((probe.weights.col(j).array() != 0).any()) used.push_back(j);
    if (point.units > 0) {
      const Mat<double> trainUsed = train(used, Eigen::all), testUsed = test(used, Eigen::all);
      const LinearProbe alone = fitLinearProbe(trainUsed, trainLabels, labelKind, classes, refit);
      point.refitTrainScore = probeScore(alone, predictWithProbe(alone, trainUsed), trainLabels);
      point.refitTestScore = probeScore(alone, predictWithProbe(alone, testUsed), testLabels);
    }
    path.points.push_back(point);
    reportProgress(callbacks, k, kPoints);
    if (point.refitTestScore >= path.target && (path.unitsFor95 < 0 || point.units < path.unitsFor95))
      path.unitsFor95 = point.units, path.featuresFor95 = used;
    if (point.refitTestScore >= fullTestScore || point.units == train.rows()) break;
    previous = probe;
  }
  return path;
}

}  // namespace lstmscope
