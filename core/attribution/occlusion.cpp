#include "core/attribution/occlusion.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "core/engine/forward.h"

namespace lstmscope {
namespace {

// Chunks of windows: wide enough for matrix-matrix products, and blocks long enough that a forward call's
// own overhead does not show; longer blocks would only hold more memory.
constexpr long kMaxChunk = 256, kMinBlock = 16, kMaxBlock = 1024;

Inputs<double> batchOf(Mat<double> features, long steps, int batch) {
  Inputs<double> in;
  in.steps = static_cast<int>(steps), in.batch = batch;
  in.features = std::move(features);
  return in;
}

// Steps [first, first + n) of a batch of runs, columns laid out t * batch + k: run k reads x with edits[k]
// applied.
Mat<double> editedColumns(const Mat<double>& x, const std::vector<ColumnPatch>& edits, long first, long n) {
  const long batch = static_cast<long>(edits.size());
  Mat<double> out(x.rows(), n * batch);
  for (long t = first; t < first + n; ++t)
    for (long k = 0; k < batch; ++k) {
      const ColumnPatch& e = edits[static_cast<size_t>(k)];
      out.col((t - first) * batch + k) = t >= e.first && t < e.end() ? e.columns.col(t - e.first) : x.col(t);
    }
  return out;
}

// The edits of runs from `start` on: at most `batch`, and after the first only while they hold less than
// `bytes` together (an encoder–decoder's edit is every decoder step, which 256 runs would make gigabytes).
std::vector<ColumnPatch> editsOf(const std::function<ColumnPatch(long)>& edit, long start, long batch, long bytes) {
  std::vector<ColumnPatch> edits;
  long held = 0;
  for (long k = start; k < start + batch && (edits.empty() || held < bytes); ++k) {
    edits.push_back(edit(k));
    held += static_cast<long>(edits.back().columns.size() * sizeof(double));
  }
  return edits;
}

State<double> zeroState(const Network<double>& net, int batch) {
  State<double> s(net.arch.layers.size());
  for (size_t l = 0; l < s.size(); ++l)
    for (int d = 0; d < net.arch.layers[l].directions(); ++d) {
      const long H = net.arch.layers[l].hidden;
      s[l].push_back({Mat<double>::Zero(H, batch), Mat<double>::Zero(H, batch)});
    }
  return s;
}

// A batch-1 state copied into every column of a batch.
State<double> repeated(const State<double>& one, int batch) {
  State<double> s = one;
  for (auto& layer : s)
    for (DirectionState<double>& d : layer) {
      // eval(): replicating a matrix into itself would read it after the assignment has freed it.
      d.h = d.h.replicate(1, batch).eval();
      d.c = d.c.replicate(1, batch).eval();
    }
  return s;
}

// The target as read from a tape whose first step is `first`.
AttributionTarget seenFrom(AttributionTarget target, long first) {
  target.step -= first;
  return target;
}

// Runs `batch` sequences over steps [from, to) in blocks of at most `block` steps, starting in `state` and
// leaving it at the state after step to - 1; `tape` keeps the last block (with the head). `columns(first,
// n)` gives the inputs of steps [first, first + n). Only right for layers that do not look ahead.
template <class Columns>
void runInBlocks(const Network<double>& net, long from, long to, int batch, long block, State<double>& state,
                 const Columns& columns, Tape<double>& tape) {
  for (long first = from; first < to; first += block) {
    const long n = std::min(block, to - first);
    ForwardOptions options;
    options.computeHead = first + n == to;
    forward(net, batchOf(columns(first, n), n, batch), tape, options, &state);
    state = tape.finalState(net.arch);
  }
}

long columnsWithin(const Network<double>& net, const Mat<double>& x, long memoryBytes) {
  return std::max(1L, memoryBytes / tapeBytesPerColumn(net, x.rows()));
}

// The score of input vectors `m` for a model that only reads the past (`last`: the step the target reads),
// run in blocks.
double causalScore(const Network<double>& net, const Mat<double>& m, const AttributionTarget& target, long last,
                   long memoryBytes) {
  State<double> state = zeroState(net, 1);
  Tape<double> tape;
  const auto columns = [&](long first, long n) -> Mat<double> { return m.middleCols(first, n); };
  runInBlocks(net, 0, last + 1, 1, std::clamp(columnsWithin(net, m, memoryBytes), 1L, kMaxBlock), state, columns, tape);
  return targetValue(net, tape, seenFrom(target, last + 1 - tape.steps), 1, 0);
}

// The target's value for every run of a model that only reads the past (`last`: the step the target reads).
// A chunk of runs starts from the clean run's state before its earliest edit; runs whose edits start after
// `last`, or change nothing, keep the clean score.
void scoreCausally(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target, long last,
                   double cleanScore, const std::function<ColumnPatch(long)>& edit, long memoryBytes,
                   const ProgressCallbacks& callbacks, Vec<double>& scores) {
  const long runs = scores.size();
  const long columnsBudget = columnsWithin(net, x, memoryBytes);
  const long chunk = std::clamp(columnsBudget / kMinBlock, 1L, std::min(kMaxChunk, std::max(runs, 1L)));
  const long block = std::clamp(columnsBudget / chunk, 1L, kMaxBlock);
  const long cleanBlock = std::clamp(columnsBudget, 1L, kMaxBlock);
  const auto clean = [&](long first, long n) -> Mat<double> { return x.middleCols(first, n); };
  State<double> cleanState = zeroState(net, 1);
  long cleanAt = 0;  // cleanState is the state before this step
  Tape<double> tape;
  for (long start = 0, batch = 0; start < runs; start += batch) {
    checkCancelled(callbacks);
    const std::vector<ColumnPatch> edits = editsOf(edit, start, std::min(chunk, runs - start), memoryBytes / 4);
    batch = static_cast<long>(edits.size());
    long from = last + 1;  // the earliest step an edit changes that the target reads
    for (const ColumnPatch& e : edits)
      if (!e.empty()) from = std::min(from, e.first);
    scores.segment(start, batch).setConstant(cleanScore);
    if (from <= last) {
      if (from < cleanAt) cleanState = zeroState(net, 1), cleanAt = 0;  // edits out of order: start again
      runInBlocks(net, cleanAt, from, 1, cleanBlock, cleanState, clean, tape);
      cleanAt = from;
      State<double> state = repeated(cleanState, static_cast<int>(batch));
      const auto columns = [&](long first, long n) { return editedColumns(x, edits, first, n); };
      runInBlocks(net, from, last + 1, static_cast<int>(batch), block, state, columns, tape);
      const AttributionTarget seen = seenFrom(target, last + 1 - tape.steps);
      for (long k = 0; k < batch; ++k)
        scores(start + k) = targetValue(net, tape, seen, static_cast<int>(batch), static_cast<int>(k));
    }
    reportProgress(callbacks, start + batch, runs);
  }
}

// The same for a model that looks ahead, or a head that pools every step: every chunk of runs runs the whole
// sequence.
void scoreWhole(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target,
                const std::function<ColumnPatch(long)>& edit, long memoryBytes, const ProgressCallbacks& callbacks,
                Vec<double>& scores) {
  const long T = x.cols(), runs = scores.size();
  const long chunk = std::clamp(columnsWithin(net, x, memoryBytes) / T, 1L, std::min(kMaxChunk, std::max(runs, 1L)));
  Tape<double> tape;
  ForwardOptions options;
  options.computeHead = true;
  for (long start = 0, batch = 0; start < runs; start += batch) {
    checkCancelled(callbacks);
    const std::vector<ColumnPatch> edits = editsOf(edit, start, std::min(chunk, runs - start), memoryBytes / 4);
    batch = static_cast<long>(edits.size());
    forward(net, batchOf(editedColumns(x, edits, 0, T), T, static_cast<int>(batch)), tape, options);
    for (long k = 0; k < batch; ++k)
      scores(start + k) = targetValue(net, tape, target, static_cast<int>(batch), static_cast<int>(k));
    reportProgress(callbacks, start + batch, runs);
  }
}

// The last step the target reads of a model that only reads the past: its own for a state or an each-step
// logit, else the end. Nullopt when every run must run the whole sequence: a model that looks ahead, or a
// logit of a head that pools every step (carrying the state from block to block would pool each block alone).
std::optional<long> lastStepRead(const Network<double>& net, long T, const AttributionTarget& target) {
  const bool poolsSteps = target.kind == TargetKind::Logit && net.arch.head && net.arch.head->pools();
  if (net.arch.looksAhead() || poolsSteps) return std::nullopt;
  const bool finalStates = net.arch.head && net.arch.head->perSequence();
  const bool stateOrEachStep = target.kind != TargetKind::Logit || !finalStates;
  return stateOrEachStep ? target.step : T - 1;
}

}  // namespace

Vec<double> scoresOfEditedRuns(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target,
                               double cleanScore, long runs, const std::function<ColumnPatch(long)>& edit,
                               const ProgressCallbacks& callbacks, long memoryBytes) {
  Vec<double> scores(std::max(runs, 0L));
  if (runs <= 0) reportProgress(callbacks, 1, 1);  // nothing to run (no window the target reads): done
  if (const std::optional<long> last = lastStepRead(net, x.cols(), target))
    scoreCausally(net, x, target, *last, cleanScore, edit, memoryBytes, callbacks, scores);
  else
    scoreWhole(net, x, target, edit, memoryBytes, callbacks, scores);
  return scores;
}

Vec<double> averagedOverWindows(const Vec<double>& drops, long tokens, long window) {
  const long w = std::clamp(window, 1L, std::max(tokens, 1L)), positions = std::max(tokens - w + 1, 0L);
  Vec<double> sum = Vec<double>::Zero(tokens), covering = Vec<double>::Zero(tokens);
  for (long p = 0; p < positions; ++p) {
    const double drop = p < drops.size() ? drops(p) : 0.0;
    sum.segment(p, w).array() += drop;
    covering.segment(p, w).array() += 1;
  }
  return sum.cwiseQuotient(covering.cwiseMax(1.0));
}

TokenAttribution occlusion(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                           const AttributionTarget& target, int window, const ProgressCallbacks& callbacks,
                           long memoryBytes) {
  validateTarget(net, x.cols(), target);
  if (baseline.rows() != x.rows() || baseline.cols() != x.cols())
    throw InputError("the baseline's shape differs from the input's");
  const long T = x.cols();
  const long w = std::clamp<long>(window, 1, T), positions = T - w + 1;
  const std::optional<long> last = lastStepRead(net, T, target);
  TokenAttribution a;
  if (last) {
    a.score = causalScore(net, x, target, *last, memoryBytes);
    a.baselineScore = causalScore(net, baseline, target, *last, memoryBytes);
  } else {
    a.score = targetScore(net, x, target);
    a.baselineScore = targetScore(net, baseline, target);
  }
  // Windows starting after the last step the target reads change nothing: they are not run.
  const long runs = last ? std::min(positions, *last + 1) : positions;
  const auto edit = [&](long p) { return ColumnPatch{p, baseline.middleCols(p, w)}; };
  const Vec<double> occluded = scoresOfEditedRuns(net, x, target, a.score, runs, edit, callbacks, memoryBytes);
  a.perToken = averagedOverWindows((a.score - occluded.array()).matrix(), T, w);
  return a;
}

}  // namespace lstmscope
