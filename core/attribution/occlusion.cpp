#include "core/attribution/occlusion.h"

#include <algorithm>

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

// Steps [first, first + n) of `batch` runs, columns laid out t * batch + k: run k has the `window` tokens
// from `start + k` on replaced by the baseline.
Mat<double> occludedColumns(const Mat<double>& x, const Mat<double>& baseline, long first, long n, long start,
                            int batch, long window) {
  Mat<double> out(x.rows(), n * batch);
  for (long t = first; t < first + n; ++t)
    for (int k = 0; k < batch; ++k) {
      const long p = start + k;
      out.col((t - first) * batch + k) = t >= p && t < p + window ? baseline.col(t) : x.col(t);
    }
  return out;
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

// The target's value for every window start of a model that only reads the past (`last`: the step the
// target reads). Windows starting after `last` keep the clean score `score`.
void occludeCausally(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                     const AttributionTarget& target, long window, long last, long memoryBytes,
                     const ProgressCallbacks& callbacks, double score, Vec<double>& occluded) {
  const long positions = occluded.size(), reach = std::min(positions - 1, last);
  const long columnsBudget = columnsWithin(net, x, memoryBytes);
  const long chunk = std::clamp(columnsBudget / kMinBlock, 1L, std::min(kMaxChunk, reach + 1));
  const long block = std::clamp(columnsBudget / chunk, 1L, kMaxBlock);
  const long cleanBlock = std::clamp(columnsBudget, 1L, kMaxBlock);
  const auto clean = [&](long first, long n) -> Mat<double> { return x.middleCols(first, n); };
  State<double> cleanState = zeroState(net, 1);
  long cleanAt = 0;  // cleanState is the state before this step
  Tape<double> tape;
  const long chunks = (reach + chunk) / chunk;
  for (long start = 0, done = 0; start <= reach; start += chunk) {
    checkCancelled(callbacks);
    runInBlocks(net, cleanAt, start, 1, cleanBlock, cleanState, clean, tape);
    cleanAt = start;
    const int batch = static_cast<int>(std::min(chunk, reach + 1 - start));
    State<double> state = repeated(cleanState, batch);
    const auto columns = [&](long first, long n) {
      return occludedColumns(x, baseline, first, n, start, batch, window);
    };
    runInBlocks(net, start, last + 1, batch, block, state, columns, tape);
    const AttributionTarget seen = seenFrom(target, last + 1 - tape.steps);
    for (int k = 0; k < batch; ++k) occluded(start + k) = targetValue(net, tape, seen, batch, k);
    reportProgress(callbacks, ++done, chunks);
  }
  occluded.tail(positions - reach - 1).setConstant(score);
}

// The same for a model that looks ahead: every chunk of windows runs the whole text.
void occludeWhole(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                  const AttributionTarget& target, long window, long memoryBytes, const ProgressCallbacks& callbacks,
                  Vec<double>& occluded) {
  const long T = x.cols(), positions = occluded.size();
  const long chunk = std::clamp(columnsWithin(net, x, memoryBytes) / T, 1L, std::min(kMaxChunk, positions));
  const long chunks = (positions + chunk - 1) / chunk;
  Tape<double> tape;
  ForwardOptions options;
  options.computeHead = true;
  for (long start = 0, done = 0; start < positions; start += chunk) {
    checkCancelled(callbacks);
    const int batch = static_cast<int>(std::min(chunk, positions - start));
    forward(net, batchOf(occludedColumns(x, baseline, 0, T, start, batch, window), T, batch), tape, options);
    for (int k = 0; k < batch; ++k) occluded(start + k) = targetValue(net, tape, target, batch, k);
    reportProgress(callbacks, ++done, chunks);
  }
}

}  // namespace

TokenAttribution occlusion(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                           const AttributionTarget& target, int window, const ProgressCallbacks& callbacks,
                           long memoryBytes) {
  validateTarget(net, x.cols(), target);
  if (baseline.rows() != x.rows() || baseline.cols() != x.cols())
    throw InputError("the baseline's shape differs from the input's");
  const long T = x.cols();
  const long w = std::clamp<long>(window, 1, T), positions = T - w + 1;
  const bool finalStates = net.arch.head && net.arch.head->perSequence();
  const bool stateOrEachStep = target.kind != TargetKind::Logit || !finalStates;
  // The last step the target reads: its own for a forward model's state or each-step logit, else the end.
  const long last = stateOrEachStep ? target.step : T - 1;
  TokenAttribution a;
  Vec<double> occluded(positions);
  // A logit of a head that pools every step needs whole runs too: carrying the state from block to block
  // would pool each block alone.
  const bool poolsSteps = target.kind == TargetKind::Logit && net.arch.head && net.arch.head->pools();
  if (net.arch.looksAhead() || poolsSteps) {
    a.score = targetScore(net, x, target);
    a.baselineScore = targetScore(net, baseline, target);
    occludeWhole(net, x, baseline, target, w, memoryBytes, callbacks, occluded);
  } else {
    a.score = causalScore(net, x, target, last, memoryBytes);
    a.baselineScore = causalScore(net, baseline, target, last, memoryBytes);
    occludeCausally(net, x, baseline, target, w, last, memoryBytes, callbacks, a.score, occluded);
  }
  a.perToken = Vec<double>::Zero(T);
  Vec<double> covering = Vec<double>::Zero(T);
  for (long p = 0; p < positions; ++p) {
    const double drop = a.score - occluded(p);
    for (long t = p; t < p + w; ++t) a.perToken(t) += drop, covering(t) += 1;
  }
  a.perToken = a.perToken.cwiseQuotient(covering);
  return a;
}

}  // namespace lstmscope
