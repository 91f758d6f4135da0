#include "core/intervention/batched_runs.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <numeric>

#include "core/engine/forward.h"
#include "core/engine/head_pooling.h"
#include "core/intervention/span_recompute.h"

namespace lstmscope {
namespace {

using batched::DirectionValues, batched::GroupWorkspace, batched::LayerValues, batched::StepSpan, batched::fillColumns,
    batched::layerOutput, batched::runSpan;

// Rows [row0, row0 + rows) of a layer's output at step t for all B columns: recomputed, or the reference
// value repeated.
template <class T>
Mat<T> outputAt(const LayerValues<T>& values, const Mat<T>& reference, long row0, long rows, long t, int B) {
  if (values.span.has(t)) return values.h.block(row0, (t - values.span.lo) * B, rows, B);
  Mat<T> repeated(rows, B);
  fillColumns(repeated, reference.block(row0, t, rows, 1));
  return repeated;
}

// A pooling head's input for B columns: every step of its sources, each layer's output recomputed where
// it changed (`changed[l]`, null for layers the group did not recompute), pooled one column at a time.
template <class T>
Mat<T> pooledHeadInput(const Network<T>& net, const Tape<T>& ref, const std::vector<const LayerValues<T>*>& changed,
                       int B) {
  const Architecture& arch = net.arch;
  const long steps = ref.steps;
  std::vector<Mat<T>> columnInputs(arch.layers.size() + 1);
  Mat<T> scratch, pooled, weights, x(0, B);
  for (int b = 0; b < B; ++b) {
    for (int s : arch.headSources()) {
      const Mat<T>& reference = ref.layerInput[static_cast<size_t>(s)];
      Mat<T>& m = columnInputs[static_cast<size_t>(s)];
      m = reference;
      const LayerValues<T>* values = s > 0 ? changed[static_cast<size_t>(s - 1)] : nullptr;
      if (values && !values->span.empty())
        for (long t = values->span.lo; t <= values->span.hi; ++t)
          m.col(t) = values->h.col((t - values->span.lo) * B + b);
    }
    poolSteps(*arch.head, net.params.headAttention, headStepInput(arch, columnInputs, scratch), static_cast<int>(steps),
              1, pooled, weights);
    if (x.rows() == 0) x.resize(pooled.rows(), B);
    x.col(b) = pooled.col(0);
  }
  return x;
}

// The head's logits for B columns given the layers' changed outputs (`changed[l]`, null where unchanged).
template <class T>
Mat<T> headLogits(const Network<T>& net, const Tape<T>& ref, const std::vector<const LayerValues<T>*>& changed,
                  long step, int B) {
  const LayerSpec& spec = net.arch.layers.back();
  const Mat<T>& refOutput = ref.layerInput.back();
  static const LayerValues<T> unchanged;
  const LayerValues<T>& last = changed.back() ? *changed.back() : unchanged;
  Mat<T> x;
  if (net.arch.head->pools()) {
    x = pooledHeadInput(net, ref, changed, B);
  } else if (net.arch.head->reads == HeadReads::EachStep) {
    x = outputAt(last, refOutput, 0, spec.outputWidth(), step, B);
  } else {
    x.resize(spec.outputWidth(), B);
    for (int d = 0; d < spec.directions(); ++d)
      x.middleRows(d * spec.hidden, spec.hidden) =
          outputAt(last, refOutput, static_cast<long>(d) * spec.hidden, spec.hidden, spec.finalStep(d, ref.steps), B);
  }
  // Column by column: a column's logits are then the same bits whatever the group's size (a matrix product's
  // blocking depends on it), so that a run that changes nothing scores exactly as its control.
  const auto layerOf = [](const DenseParams<T>& dense, const Mat<T>& in) {
    Mat<T> out(dense.weight.rows(), in.cols());
    for (long b = 0; b < in.cols(); ++b) out.col(b).noalias() = dense.weight * in.col(b);
    out.colwise() += dense.bias;
    return out;
  };
  for (size_t k = 0; k < net.params.headPre.size(); ++k) {
    Mat<T> y = layerOf(net.params.headPre[k], x);
    for (long i = 0; i < y.size(); ++i) y.data()[i] = applyDense(net.arch.head->preActivations[k], y.data()[i]);
    x = std::move(y);
  }
  return layerOf(net.params.head, x);
}

// The last step that can change the target: a model that reads only the past, scored at one step, needs
// nothing after that step.
long lastStepNeeded(const Architecture& arch, const InterventionTarget& target, long steps) {
  const bool pastOnly =
      !arch.looksAhead() && (target.kind == ScoreKind::Unit || arch.head->reads == HeadReads::EachStep);
  return pastOnly ? target.step : steps - 1;
}

// Scores B columns under `plan` (column 0 has no interventions).
template <class T>
std::vector<double> scoreGroup(const Network<T>& net, const Inputs<T>& in, const Tape<T>& ref,
                               const InterventionPlan& plan, int B, const InterventionTarget& target,
                               GroupWorkspace<T>& work) {
  const Architecture& arch = net.arch;
  const long steps = ref.steps;
  const bool unitTarget = target.kind == ScoreKind::Unit;
  const long horizon = lastStepNeeded(arch, target, steps);
  const int lastLayer = unitTarget ? target.layer : static_cast<int>(arch.layers.size()) - 1;
  const int firstLayer = plan.firstLayer();

  std::vector<double> scores(static_cast<size_t>(B));
  work.directions.resize(arch.layers.size());
  work.outputs.resize(arch.layers.size());
  const LayerValues<T> nothing;
  const LayerValues<T>* below = &nothing;  // the current layer's input where it changed (nothing below firstLayer)
  for (int l = std::max(firstLayer, 0); firstLayer >= 0 && l <= lastLayer; ++l) {
    const LayerSpec& spec = arch.layers[static_cast<size_t>(l)];
    std::vector<DirectionValues<T>>& dirs = work.directions[static_cast<size_t>(l)];
    dirs.resize(static_cast<size_t>(spec.directions()));
    for (int d = 0; d < spec.directions(); ++d) {
      const auto edited = plan.stepRange(l, d, steps);
      DirectionValues<T>& dv = dirs[static_cast<size_t>(d)];
      dv.targetGate.clear();
      StepSpan& span = dv.span;
      if (spec.runsBackward(d)) {  // changes reach every earlier step
        span.hi = std::max(edited ? edited->second : -1L, below->span.empty() ? -1L : below->span.hi);
        span.lo = 0;
      } else {  // changes reach every later step
        span.lo = std::min(edited ? edited->first : steps, below->span.empty() ? steps : below->span.lo);
        span.hi = horizon;
      }
      if (!span.empty()) runSpan(net, in, ref, l, d, B, *below, plan, target, dv);
    }
    if (unitTarget && l == target.layer) {
      const DirectionValues<T>& dv = dirs[static_cast<size_t>(target.direction)];
      const double unchanged = targetScore(net, ref, target);
      for (int b = 0; b < B; ++b) {
        double v = unchanged;
        if (dv.span.has(target.step)) {
          const long col = (target.step - dv.span.lo) * B + b;
          v = target.quantity == Quantity::C   ? static_cast<double>(dv.c(target.unit, col))
              : target.quantity == Quantity::H ? static_cast<double>(dv.h(target.unit, col))
                                               : static_cast<double>(dv.targetGate[static_cast<size_t>(b)]);
        }
        scores[static_cast<size_t>(b)] = v;
      }
      return scores;
    }
    layerOutput(spec, dirs, ref.layerInput[static_cast<size_t>(l) + 1], B, work.outputs[static_cast<size_t>(l)]);
    below = &work.outputs[static_cast<size_t>(l)];
  }
  if (unitTarget) {  // every intervention is above the target's layer
    std::fill(scores.begin(), scores.end(), targetScore(net, ref, target));
    return scores;
  }
  std::vector<const LayerValues<T>*> changed(arch.layers.size(), nullptr);
  for (int l = std::max(firstLayer, 0); firstLayer >= 0 && l < static_cast<int>(arch.layers.size()); ++l)
    changed[static_cast<size_t>(l)] = &work.outputs[static_cast<size_t>(l)];
  const Mat<T> logits = headLogits(net, ref, changed, target.step, B);
  for (int b = 0; b < B; ++b)
    scores[static_cast<size_t>(b)] = target.kind == ScoreKind::Logit
                                         ? static_cast<double>(logits(target.output, b))
                                         : logProbability<T>(arch.head->activation, logits.col(b), target.output);
  return scores;
}

// The memory all groups in flight may hold; each of the cores' groups gets its share. Measured on a 2 x 512
// model: from about 50 columns a group is as fast as any width (its weights are packed once per span, so
// wider groups only amortise packing h, and their steps no longer stay in cache).
constexpr double kGroupBytes = 256e6;
// Columns per group: as many runs as keep a group's recomputed values (over `steps` steps) near `bytes`,
// and at most 512.
template <class T>
int groupColumns(const Architecture& arch, long steps, size_t runs, double bytes) {
  double perColumn = 0;
  for (const LayerSpec& l : arch.layers) perColumn += l.directions() * 2.0 * l.hidden + l.outputWidth();
  perColumn *= static_cast<double>(steps) * sizeof(T);
  const double columns = bytes / std::max(1.0, perColumn);
  return static_cast<int>(std::clamp<double>(columns, 2, std::min<double>(513, static_cast<double>(runs) + 1)));
}

}  // namespace

template <class T>
Tape<T> referenceRun(const Network<T>& net, const Inputs<T>& in) {
  Tape<T> tape;
  ForwardOptions options;
  options.computeHead = false;
  forward(net, in, tape, options);
  return tape;
}

template <class T>
ScoredRuns scoreRuns(const Network<T>& net, const Inputs<T>& in, const Tape<T>& reference,
                     const std::vector<std::vector<UnitIntervention>>& runs, const InterventionTarget& target,
                     const ProgressCallbacks& callbacks) {
  validateTarget(net.arch, net.headOutputs(), in.steps, target);
  // Runs that start late go together: their group resumes late.
  std::vector<long> start(runs.size(), in.steps);
  for (size_t r = 0; r < runs.size(); ++r)
    for (const UnitIntervention& v : runs[r]) start[r] = std::min(start[r], v.firstStep);
  std::vector<size_t> order(runs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return start[a] < start[b]; });

  // The groups, in order of their start: [first, first + count) of `order`.
  const long horizon = lastStepNeeded(net.arch, target, in.steps);
  const int cores = std::min(omp_get_max_threads(), 2);
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t g0 = 0, count = 0; g0 < order.size(); g0 += count) {
    // A group recomputes the steps from its first run's start to the last one needed.
    const long span = horizon + 1 - std::min(start[order[g0]], horizon);
    // Groups of even size: 512 runs in groups of at most 400 are two of 256, not 400 and 112.
    const size_t left = order.size() - g0,
                 most = static_cast<size_t>(groupColumns<T>(net.arch, span, left, kGroupBytes / cores) - 1);
    const size_t parts = (left + most - 1) / most;
    count = (left + parts - 1) / parts;
    groups.emplace_back(g0, count);
  }

  ScoredRuns out;
  out.scores.resize(runs.size());
  out.controls.resize(runs.size());
  const auto scoreGroupAt = [&](size_t g, GroupWorkspace<T>& work) {
    const auto [g0, count] = groups[g];
    std::vector<UnitIntervention> all;
    for (size_t k = 0; k < count; ++k)
      for (UnitIntervention v : runs[order[g0 + k]]) {
        v.column = static_cast<int>(k) + 1;  // column 0 is the group's control
        all.push_back(v);
      }
    const InterventionPlan plan(std::move(all), net.arch);
    const std::vector<double> scores = scoreGroup(net, in, reference, plan, static_cast<int>(count) + 1, target, work);
    for (size_t k = 0; k < count; ++k) {
      out.scores[order[g0 + k]] = scores[k + 1];
      out.controls[order[g0 + k]] = scores[0];
    }
  };
  // With two groups or more each core takes whole groups: their runs are independent, so the cores never
  // wait for each other (a group split across cores meets at a barrier every step). Either core polls for
  // cancellation and reports progress, one at a time; an exception leaves the parallel region as a value.
  const int teams = groups.size() > 1 ? cores : 1;
  long done = 0;
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
#pragma omp parallel num_threads(teams)
  {
    GroupWorkspace<T> work;
#pragma omp for schedule(dynamic, 1)
    for (size_t g = 0; g < groups.size(); ++g) {
      if (stop.load()) continue;
      try {
        bool cancelled = false;  // (an exception may not leave a critical section)
#pragma omp critical(lstmscope_score_runs_callbacks)
        cancelled = callbacks.cancelled && callbacks.cancelled();
        if (cancelled) throw Cancelled();
        scoreGroupAt(g, work);
        std::exception_ptr reportFailure;
#pragma omp critical(lstmscope_score_runs_callbacks)
        {
          done += static_cast<long>(groups[g].second);
          try {
            reportProgress(callbacks, done, static_cast<long>(runs.size()));
          } catch (...) {
            reportFailure = std::current_exception();
          }
        }
        if (reportFailure) std::rethrow_exception(reportFailure);
      } catch (...) {
#pragma omp critical(lstmscope_score_runs_failure)
        if (!failure) failure = std::current_exception();
        stop = true;
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  return out;
}

template Tape<float> referenceRun<float>(const Network<float>&, const Inputs<float>&);
template Tape<double> referenceRun<double>(const Network<double>&, const Inputs<double>&);
template ScoredRuns scoreRuns<float>(const Network<float>&, const Inputs<float>&, const Tape<float>&,
                                     const std::vector<std::vector<UnitIntervention>>&, const InterventionTarget&,
                                     const ProgressCallbacks&);
template ScoredRuns scoreRuns<double>(const Network<double>&, const Inputs<double>&, const Tape<double>&,
                                      const std::vector<std::vector<UnitIntervention>>&, const InterventionTarget&,
                                      const ProgressCallbacks&);

}  // namespace lstmscope
