#include "core/probing/l1_path.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <map>
#include <optional>

namespace lstmscope {

double constantScore(const std::vector<double>& trainLabels, const std::vector<double>& testLabels, ProbeKind kind) {
  if (kind == ProbeKind::Ridge) return 0.0;  // R^2 of the mean, by its definition
  std::map<double, long> counts;
  for (const double y : trainLabels) ++counts[y];
  double majority = 0;
  long most = -1;
  for (const auto& [label, count] : counts)
    if (count > most) majority = label, most = count;  // ties: the smallest label
  if (testLabels.empty()) return std::nan("");
  const long right = std::count(testLabels.begin(), testLabels.end(), majority);
  return static_cast<double>(right) / static_cast<double>(testLabels.size());
}

double steeringShift(const LinearProbe& probe, const Mat<double>& train, const std::vector<double>& labels,
                     LabelKind labelKind) {
  const long n = static_cast<long>(labels.size());
  if (labelKind == LabelKind::Categorical || probe.weights.rows() != 1 || n == 0)
    return std::numeric_limits<double>::quiet_NaN();
  if (labelKind == LabelKind::Scalar) {
    double mean = 0, squares = 0;
    for (const double y : labels) mean += y / static_cast<double>(n);
    for (const double y : labels) squares += (y - mean) * (y - mean);
    return std::sqrt(squares / static_cast<double>(n));
  }
  const Vec<double> scores = (probe.weights.row(0) * train).transpose();
  double sum[2] = {0, 0}, count[2] = {0, 0};
  for (long i = 0; i < n; ++i) {
    const int c = labels[static_cast<size_t>(i)] != 0;
    sum[c] += scores(i), count[c] += 1;
  }
  if (count[0] == 0 || count[1] == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum[1] / count[1] - sum[0] / count[0];
}

namespace {

// A point's refit: the full probe on the units the point's L1 probe kept, alone.
struct Refit {
  LinearProbe probe;
  Mat<double> trainUsed;
  double trainScore = 0, testScore = 0;
};

Refit refitOnUnits(const Mat<double>& train, const std::vector<double>& trainLabels, const Mat<double>& test,
                   const std::vector<double>& testLabels, const std::vector<long>& used, LabelKind labelKind,
                   int classes, const ProbeSettings& refit) {
  Refit out;
  out.trainUsed = train(used, Eigen::all);
  const Mat<double> testUsed = test(used, Eigen::all);
  out.probe = fitLinearProbe(out.trainUsed, trainLabels, labelKind, classes, refit);
  out.trainScore = probeScore(out.probe, predictWithProbe(out.probe, out.trainUsed), trainLabels);
  out.testScore = probeScore(out.probe, predictWithProbe(out.probe, testUsed), testLabels);
  return out;
}

// A point whose L1 probe is fitted and whose refit may still be running.
struct PendingPoint {
  L1PathPoint point;
  std::vector<long> used;  // the features with a weight in any row
  std::future<Refit> refit;
};

}  // namespace

L1Path l1Path(const Mat<double>& train, const std::vector<double>& trainLabels, const Mat<double>& test,
              const std::vector<double>& testLabels, LabelKind labelKind, int classes, const ProbeSettings& full,
              double fullTestScore, const ProgressCallbacks& callbacks) {
  constexpr int kPoints = 16;
  const double factor = std::pow(10.0, 0.25);
  const ProbeKind kind = full.kind;
  // The refit is the full probe on fewer units: its L2 penalty, or (an L1 full probe) the default one.
  ProbeSettings refit = full;
  if (full.penalty == ProbePenalty::L1) refit = ProbeSettings{}, refit.kind = kind;
  L1Path path;
  path.kind = kind;
  path.baseline = constantScore(trainLabels, testLabels, kind);
  if (std::isfinite(fullTestScore) && fullTestScore > path.baseline)
    path.target = path.baseline + 0.95 * (fullTestScore - path.baseline);
  const std::optional<LassoSolver> lasso =
      kind == ProbeKind::Ridge ? std::optional<LassoSolver>(std::in_place, train, trainLabels) : std::nullopt;
  const double edge = lasso ? lasso->edge() : sparsityEdge(train, trainLabels, labelKind, classes, kind);
  if (!std::isfinite(edge) || !(edge > 0)) return path;  // no feature varies: no unit can carry the label
  ProbeSettings settings;
  settings.kind = kind, settings.penalty = ProbePenalty::L1;

  // Records a point once its refit is done; true when the path ends there (its refit scores as well as the
  // full probe).
  const auto finish = [&](PendingPoint& pending) {
    L1PathPoint& point = pending.point;
    if (pending.refit.valid()) {
      Refit alone = pending.refit.get();
      point.refitTrainScore = alone.trainScore, point.refitTestScore = alone.testScore;
      if (point.refitTestScore >= path.target && (path.unitsFor95 < 0 || point.units < path.unitsFor95)) {
        path.unitsFor95 = point.units, path.featuresFor95 = pending.used;
        path.steeringShift = steeringShift(alone.probe, alone.trainUsed, trainLabels, labelKind);
        path.probeFor95 = std::move(alone.probe);
      }
    }
    path.points.push_back(point);
    reportProgress(callbacks, static_cast<long>(path.points.size()), kPoints);
    return point.refitTestScore >= fullTestScore;
  };
  // Each point's refit runs beside the next point's L1 probe (which starts from this one's, so the L1
  // probes themselves go one after the other). A refit starts only once the one before has finished: at
  // most one refit's copies of the data exist at a time (probeMemoryBytes counts one).
  std::optional<PendingPoint> pending;
  LinearProbe previous;
  for (int k = 1; k <= kPoints; ++k) {
    checkCancelled(callbacks);
    // The lasso's alpha falls from the edge, the logistic probe's C (an inverse penalty) rises from it.
    const double step = std::pow(factor, k);
    (kind == ProbeKind::Ridge ? settings.alpha : settings.c) = kind == ProbeKind::Ridge ? edge / step : edge * step;
    const LinearProbe* warm = k > 1 ? &previous : nullptr;
    LinearProbe probe = lasso ? lasso->fit(settings.alpha, warm)
                              : fitSparseProbe(train, trainLabels, labelKind, classes, settings, warm);
    PendingPoint next;
    L1PathPoint& point = next.point;
    point.penalty = kind == ProbeKind::Ridge ? settings.alpha : settings.c;
    point.trainScore = probeScore(probe, predictWithProbe(probe, train), trainLabels);
    point.testScore = probeScore(probe, predictWithProbe(probe, test), testLabels);
    point.refitTrainScore = point.trainScore, point.refitTestScore = point.testScore;
    for (long j = 0; j < probe.weights.cols(); ++j)
      if ((probe.weights.col(j).array() != 0).any()) next.used.push_back(j);
    point.units = static_cast<long>(next.used.size());
    if (pending && finish(*pending)) {  // this point lies past the path's end: dropped
      pending.reset();
      break;
    }
    if (point.units > 0)
      next.refit = std::async(std::launch::async, refitOnUnits, std::cref(train), std::cref(trainLabels),
                              std::cref(test), std::cref(testLabels), next.used, labelKind, classes, refit);
    pending = std::move(next);
    if (pending->point.units == train.rows()) break;
    previous = std::move(probe);
  }
  if (pending) finish(*pending);
  return path;
}

}  // namespace lstmscope
