#include "core/intervention/span_recompute.h"

#include <omp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/engine/packed_weights.h"
#include "core/engine/thread_recurrence.h"

namespace lstmscope::batched {
namespace {

// Below this much recurrent work per step (multiply-adds), splitting a step across cores does not pay.
constexpr long kMinSplitWork = 4 * 128 * 128;
constexpr long kChunkSteps = 16;  // steps whose input projection is one product

// Rows of units [u0, u0 + n) of z = W_ih * input + bias, for the steps whose input changed. The bias is added
// after the product, as in the reference run. With all units the four gates' rows are one product, so the
// input is packed once, not four times. The weights are packed on the first use (our kernel keeps them
// packed for the span; core/engine/packed_weights.h), since most spans never see their input change.
template <class T>
class ChangedInputProjection {
 public:
  ChangedInputProjection(const DirectionParams<T>& w, long H, long u0, long n) : w_(w), bias_(w.b_ih + w.b_hh) {
    if (n == H)
      rows_.emplace_back(0, 4 * H);
    else
      for (long g = 0; g < 4; ++g) rows_.emplace_back(g * H + u0, n);
  }

  template <class Input, class Output>
  void operator()(const Input& input, Output&& z) {
    const bool own = kernels::packedWeightsAvailable();
    if (own && packed_.empty())
      for (const auto& [r0, rows] : rows_) packed_.emplace_back(w_.W_ih.middleRows(r0, rows));
    if (own) columns_.pack(input);
    for (size_t r = 0; r < rows_.size(); ++r) {
      const auto [r0, rows] = rows_[r];
      auto block = z.middleRows(r0, rows);
      block.setZero();
      if (own)
        packed_[r].multiplyAdd(columns_, block);
      else
        kernels::addProduct(w_.W_ih.middleRows(r0, rows), input, block);
      block.colwise() += bias_.segment(r0, rows);
    }
  }

 private:
  const DirectionParams<T>& w_;
  const Vec<T> bias_;
  std::vector<std::pair<long, long>> rows_;  // (first row, rows) of the z this thread computes
  std::vector<kernels::PackedWeights<T>> packed_;
  kernels::PackedColumns<T> columns_;
};

}  // namespace

template <class T>
void runSpan(const Network<T>& net, const Inputs<T>& in, const Tape<T>& ref, int l, int d, int B,
             const LayerValues<T>& below, const InterventionPlan& plan, const InterventionTarget& target,
             DirectionValues<T>& out) {
  const LayerSpec& spec = net.arch.layers[static_cast<size_t>(l)];
  const DirectionParams<T>& w = net.params.lstm[static_cast<size_t>(l)][static_cast<size_t>(d)];
  const DirectionTape<T>& rd = ref.layers[static_cast<size_t>(l)][static_cast<size_t>(d)];
  const long H = spec.hidden, T_ = ref.steps, lo = out.span.lo, hi = out.span.hi, n = out.span.size();
  const bool backward = spec.runsBackward(d);
  out.c.resize(H, n * B);
  out.h.resize(H, n * B);

  // The state the span starts from, repeated over the batch.
  const long before = backward ? hi + 1 : lo - 1;
  const bool fromInitial = before < 0 || before >= T_;
  const Mat<T> h0 = (fromInitial ? Mat<T>(rd.initial.h.col(0)) : Mat<T>(rd.h.col(before))).replicate(1, B);
  const Mat<T> c0 = (fromInitial ? Mat<T>(rd.initial.c.col(0)) : Mat<T>(rd.c.col(before))).replicate(1, B);

  // The input projection of the reference input over the span (one column per step): what every column
  // reads where the layer's input did not change.
  const Vec<T> bias = w.b_ih + w.b_hh;
  const Mat<T>& refInput = ref.layerInput[static_cast<size_t>(l)];
  Mat<T> refProjection(4 * H, n);
  if (refInput.size()) {
    refProjection.noalias() = w.W_ih * refInput.middleCols(lo, n);
  } else {  // one-hot layer 0
    for (long k = 0; k < n; ++k) refProjection.col(k) = w.W_ih.col(in.tokens[static_cast<size_t>(lo + k)]);
  }
  refProjection.colwise() += bias;

  const bool captureGate = target.kind == ScoreKind::Unit && target.layer == l && target.direction == d &&
                           target.quantity != Quantity::C && target.quantity != Quantity::H &&
                           out.span.has(target.step);
  if (captureGate) out.targetGate.assign(static_cast<size_t>(B), T(0));
  const long gateRow = static_cast<long>(target.quantity) * H;

  Mat<T>& z = out.z;
  z.resize(4 * H, std::min(kChunkSteps, n) * B);
  // One core per group when scoreRuns runs groups side by side.
  const int threads =
      !omp_in_parallel() && 4 * H * H * B >= kMinSplitWork && n > 1 ? std::min(omp_get_max_threads(), 2) : 1;
#pragma omp parallel num_threads(threads)
  {
    const int p = omp_get_thread_num(), parts = omp_get_num_threads();
    const long u0 = H * p / parts, nn = H * (p + 1) / parts - u0;
    kernels::ThreadRecurrence<T> recurrence(w.W_hh, H, u0, nn, B);
    ChangedInputProjection<T> projectChangedInput(w, H, u0, nn);
    std::vector<UnitEdit> edits;
    for (long s0 = 0; s0 < n; s0 += kChunkSteps) {
      const long m = std::min(kChunkSteps, n - s0);
      const long first = backward ? hi - s0 - m + 1 : lo + s0;  // the chunk is steps [first, first + m)
      // This thread's rows of z: the changed input's projection where the input changed, the reference's
      // elsewhere. A thread reads only its own rows, so no barrier is needed here.
      const long changedLo = below.span.empty() ? first + m : std::max(first, below.span.lo);
      const long changedHi = below.span.empty() ? first - 1 : std::min(first + m - 1, below.span.hi);
      for (int g = 0; g < 4; ++g)
        for (long t = first; t < first + m; ++t)
          if (t < changedLo || t > changedHi)
            fillColumns(z.block(g * H + u0, (t - first) * B, nn, B), refProjection.block(g * H + u0, t - lo, nn, 1));
      if (changedLo <= changedHi)
        projectChangedInput(below.h.middleCols((changedLo - below.span.lo) * B, (changedHi - changedLo + 1) * B),
                            z.middleCols((changedLo - first) * B, (changedHi - changedLo + 1) * B));
      for (long k = 0; k < m; ++k) {
        const long t = backward ? first + m - 1 - k : first + k;
        const long at = t - lo;
        const bool start = backward ? t == hi : t == lo;
        const long prev = backward ? at + 1 : at - 1;
        const Mat<T>& hSource = start ? h0 : out.h;
        const Mat<T>& cSource = start ? c0 : out.c;
        kernels::StepBuffers<T> buf{z.middleCols((t - first) * B, B),
                                    hSource.middleCols(start ? 0 : prev * B, B),
                                    cSource.middleCols(start ? 0 : prev * B, B),
                                    out.c.middleCols(at * B, B),
                                    out.h.middleCols(at * B, B),
                                    nullptr,
                                    0,
                                    spec.peepholes ? &w.peephole : nullptr};
        plan.editsAt(l, d, t, edits);
        buf.edits = edits.data(), buf.editCount = static_cast<int>(edits.size());
        recurrence.addTo(buf);
        kernels::finishUnits<T>(spec, u0, nn, buf);
        if (captureGate && t == target.step && target.unit >= u0 && target.unit < u0 + nn)
          for (int b = 0; b < B; ++b)
            out.targetGate[static_cast<size_t>(b)] = z(gateRow + target.unit, (t - first) * B + b);
        if (parts > 1) {
#pragma omp barrier
        }
      }
    }
  }
}

template <class T>
void layerOutput(const LayerSpec& spec, std::vector<DirectionValues<T>>& dirs, const Mat<T>& refOutput, int B,
                 LayerValues<T>& out) {
  out.span = StepSpan{};
  if (dirs.size() == 1) {  // a swap, not a copy: the direction's buffer is the next group's output buffer
    out.span = dirs[0].span;
    out.h.swap(dirs[0].h);
    return;
  }
  for (const auto& dv : dirs)
    if (!dv.span.empty())
      out.span =
          out.span.empty() ? dv.span : StepSpan{std::min(out.span.lo, dv.span.lo), std::max(out.span.hi, dv.span.hi)};
  if (out.span.empty()) return;
  const long H = spec.hidden;
  out.h.resize(spec.outputWidth(), out.span.size() * B);
  for (size_t d = 0; d < dirs.size(); ++d) {
    const DirectionValues<T>& dv = dirs[d];
    const long row0 = static_cast<long>(d) * H;
    for (long t = out.span.lo; t <= out.span.hi; ++t) {
      auto target = out.h.block(row0, (t - out.span.lo) * B, H, B);
      if (dv.span.has(t))
        target = dv.h.middleCols((t - dv.span.lo) * B, B);
      else
        fillColumns(target, refOutput.block(row0, t, H, 1));
    }
  }
}

template void runSpan<float>(const Network<float>&, const Inputs<float>&, const Tape<float>&, int, int, int,
                             const LayerValues<float>&, const InterventionPlan&, const InterventionTarget&,
                             DirectionValues<float>&);
template void runSpan<double>(const Network<double>&, const Inputs<double>&, const Tape<double>&, int, int, int,
                              const LayerValues<double>&, const InterventionPlan&, const InterventionTarget&,
                              DirectionValues<double>&);
template void layerOutput<float>(const LayerSpec&, std::vector<DirectionValues<float>>&, const Mat<float>&, int,
                                 LayerValues<float>&);
template void layerOutput<double>(const LayerSpec&, std::vector<DirectionValues<double>>&, const Mat<double>&, int,
                                  LayerValues<double>&);

}  // namespace lstmscope::batched
