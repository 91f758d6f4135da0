#include "core/model/window_layers.h"

#include <omp.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace lstmscope {

namespace {

long effectiveWindow(const StepLayer& s) {
  return static_cast<long>(s.window - 1) * s.dilation + 1;
}

// The input step that tap j of output t reads; outside [0, steps) it is padding.
long tapStep(const StepLayer& s, long before, long t, long j) {
  return t * s.stride - before + j * s.dilation;
}

// Convolution columns are computed this many output steps at a time: the gathered taps of a block stay in
// cache and one matrix product does the block, without a (window × in, T) copy of a long table.
constexpr long kBlock = 1024;
// A block's gathered taps (forward) or tap gradients (backward) stay within 8 MB, one step's at least,
// whatever the kernel's size.
constexpr long kBlockBytes = 8L << 20;

// The input steps a layer reads, as a slab: column i holds step `first + i` of a sequence of `steps` steps.
// Taps outside [0, steps) are padding; the slab holds every other step the outputs asked for read.
struct InputSlab {
  const Eigen::MatrixXd& x;
  long first, steps;
};

// Output steps [firstOut, firstOut + outSteps) of a convolution before its activation.
Eigen::MatrixXd convolve(const StepLayer& s, const InputSlab& slab, long firstOut, long outSteps, long before) {
  const Eigen::MatrixXd& x = slab.x;
  const long in = x.rows(), steps = slab.steps, rows = s.window * in;
  Eigen::MatrixXd out(s.weight.rows(), outSteps);
  if (outSteps == 0) return out;
  const long block =
      std::clamp(kBlockBytes / std::max(1L, rows * static_cast<long>(sizeof(double))), 1L, std::min(kBlock, outSteps));
  const long blocks = (outSteps + block - 1) / block;
  // One buffer per thread, allocated here: an allocation failing inside the parallel region could not be
  // thrown out of it.
  // One block (a few steps, as occlusion's patches ask for) runs on the calling thread alone.
  const int threads = blocks > 1 ? omp_get_max_threads() : 1;
  std::vector<Eigen::MatrixXd> buffers(static_cast<size_t>(threads), Eigen::MatrixXd(rows, block));
  // The blocks are shared among the threads, one parallel region in all: Eigen parallelising each block's
  // small product on its own synchronised the threads once per block, which on a busy machine cost seconds.
#pragma omp parallel num_threads(threads)
  {
    Eigen::MatrixXd& taps = buffers[static_cast<size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
    for (long b = 0; b < blocks; ++b) {
      const long start = b * block, n = std::min(block, outSteps - start);
      for (long k = 0; k < n; ++k)
        for (long j = 0; j < s.window; ++j) {
          const long p = tapStep(s, before, firstOut + start + k, j);
          auto tap = taps.block(j * in, k, in, 1);
          if (p >= 0 && p < steps)
            tap = x.col(p - slab.first);
          else
            tap.setZero();  // padding: zeros to a convolution
        }
      out.middleCols(start, n).noalias() = s.weight * taps.leftCols(n);  // one thread: inside a parallel region
    }
  }
  if (s.bias.size()) out.colwise() += s.bias;
  return out;
}

// Output steps [firstOut, firstOut + outSteps) of a pooling: the max or mean over the window's steps that
// exist (TensorFlow's pooling leaves padding out of both).
Eigen::MatrixXd pool(const StepLayer& s, const InputSlab& slab, long firstOut, long outSteps, long before) {
  const Eigen::MatrixXd& x = slab.x;
  const long steps = slab.steps;
  const bool max = s.kind == StepLayer::Kind::MaxPool;
  Eigen::MatrixXd out(x.rows(), outSteps);
#pragma omp parallel for schedule(static) if (outSteps > 64)  // a few steps: not worth waking the threads
  for (long t = 0; t < outSteps; ++t) {
    auto acc = out.col(t);
    acc.setConstant(max ? -std::numeric_limits<double>::infinity() : 0.0);
    long count = 0;
    for (long j = 0; j < s.window; ++j) {
      const long p = tapStep(s, before, firstOut + t, j);
      if (p < 0 || p >= steps) continue;
      if (max)
        acc = acc.cwiseMax(x.col(p - slab.first));
      else
        acc += x.col(p - slab.first);
      ++count;
    }
    if (!max) acc /= static_cast<double>(count);
  }
  return out;
}

}  // namespace

long windowOutputSteps(const StepLayer& s, long steps) {
  if (!s.changesSteps()) return steps;
  if (steps <= 0) return 0;
  if (s.kind == StepLayer::Kind::Recurrent) return 1;  // the last state
  if (s.kind == StepLayer::Kind::Repeat) return s.repeats;
  const long span = effectiveWindow(s);
  switch (s.padding) {
    case StepLayer::Padding::Valid:
      return steps >= span ? (steps - span) / s.stride + 1 : 0;
    case StepLayer::Padding::Same:
      return (steps + s.stride - 1) / s.stride;
    case StepLayer::Padding::Causal:
      return (steps - 1) / s.stride + 1;
  }
  return 0;
}

long paddingBefore(const StepLayer& s, long steps) {
  if (!s.mixesSteps()) return 0;
  const long span = effectiveWindow(s);
  switch (s.padding) {
    case StepLayer::Padding::Valid:
      return 0;
    case StepLayer::Padding::Same: {
      const long out = windowOutputSteps(s, steps);
      return std::max((out - 1) * s.stride + span - steps, 0L) / 2;  // the smaller half first
    }
    case StepLayer::Padding::Causal:
      return span - 1;
  }
  return 0;
}

Eigen::MatrixXd applyWindowLayer(const StepLayer& s, const Eigen::MatrixXd& x) {
  const long outSteps = windowOutputSteps(s, x.cols()), before = paddingBefore(s, x.cols());
  const InputSlab slab{x, 0, x.cols()};
  return s.kind == StepLayer::Kind::Conv ? convolve(s, slab, 0, outSteps, before) : pool(s, slab, 0, outSteps, before);
}

RowSpan outputStepsReading(const StepLayer& s, long steps, RowSpan input) {
  const long outSteps = windowOutputSteps(s, steps), before = paddingBefore(s, steps);
  if (input.empty() || outSteps == 0) return kNoRows;
  // Output t reads steps t·stride − before up to that + (window − 1)·dilation; with gaps between dilated taps
  // or strides this is a superset, which only recomputes a step that comes out the same.
  const long reach = effectiveWindow(s) - 1;
  const auto floorDiv = [](long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  const long first = std::max(0L, floorDiv(input.first + before - reach + s.stride - 1, s.stride));
  const long last = std::min(outSteps - 1, floorDiv(input.last + before, s.stride));
  return first <= last ? RowSpan{first, last} : kNoRows;
}

RowSpan inputStepsReadBy(const StepLayer& s, long steps, RowSpan output) {
  if (output.empty()) return kNoRows;
  const long before = paddingBefore(s, steps);
  const long first = std::max(0L, tapStep(s, before, output.first, 0));
  const long last = std::min(steps - 1, tapStep(s, before, output.last, s.window - 1));
  return first <= last ? RowSpan{first, last} : kNoRows;
}

Eigen::MatrixXd applyWindowLayerToSteps(const StepLayer& s, const Eigen::MatrixXd& slab, long slabFirst, long steps,
                                        RowSpan output) {
  const long before = paddingBefore(s, steps), count = output.empty() ? 0 : output.last - output.first + 1;
  const InputSlab in{slab, slabFirst, steps};
  return s.kind == StepLayer::Kind::Conv ? convolve(s, in, output.first, count, before)
                                         : pool(s, in, output.first, count, before);
}

namespace {

// A convolution's backward pass: for a block of output steps at a time, one matrix product gives every tap's
// gradient (Wᵀ g, window × in rows), which is then added to the input step the tap read. Serial adds, since
// neighbouring output steps read the same input steps; the product is Eigen's, on all threads.
Eigen::MatrixXd convolutionBackward(const StepLayer& s, long steps, const Eigen::MatrixXd& g) {
  const long in = s.weight.cols() / std::max(s.window, 1), outSteps = g.cols(), before = paddingBefore(s, steps);
  Eigen::MatrixXd gradX = Eigen::MatrixXd::Zero(in, steps);
  const long block = std::clamp(kBlockBytes / std::max(1L, s.weight.cols() * static_cast<long>(sizeof(double))), 1L,
                                std::max(1L, std::min(kBlock, outSteps)));
  Eigen::MatrixXd taps;
  for (long start = 0; start < outSteps; start += block) {
    const long n = std::min(block, outSteps - start);
    taps.noalias() = s.weight.transpose() * g.middleCols(start, n);
    for (long k = 0; k < n; ++k)
      for (long j = 0; j < s.window; ++j)
        if (const long p = tapStep(s, before, start + k, j); p >= 0 && p < steps)
          gradX.col(p) += taps.block(j * in, k, in, 1);
  }
  return gradX;
}

}  // namespace

Eigen::MatrixXd windowLayerBackward(const StepLayer& s, const Eigen::MatrixXd& x, const Eigen::MatrixXd& g) {
  const long in = x.rows(), steps = x.cols(), outSteps = g.cols(), before = paddingBefore(s, steps);
  if (s.kind == StepLayer::Kind::Conv) return convolutionBackward(s, steps, g);
  Eigen::MatrixXd gradX = Eigen::MatrixXd::Zero(in, steps);
  std::vector<long> read;  // the window's steps that exist (padding is left out of the max and the mean)
  for (long t = 0; t < outSteps; ++t) {
    read.clear();
    for (long j = 0; j < s.window; ++j)
      if (const long p = tapStep(s, before, t, j); p >= 0 && p < steps) read.push_back(p);
    if (read.empty()) continue;
    if (s.kind == StepLayer::Kind::AveragePool) {
      for (const long p : read) gradX.col(p) += g.col(t) / static_cast<double>(read.size());
      continue;
    }
    for (long f = 0; f < in; ++f) {
      long best = read.front();
      for (const long p : read)
        if (x(f, p) > x(f, best)) best = p;
      gradX(f, best) += g(f, t);
    }
  }
  return gradX;
}

bool readsWindows(const std::vector<StepLayer>& chain) {
  return std::any_of(chain.begin(), chain.end(), [](const StepLayer& s) { return s.changesSteps(); });
}

long chainOutputSteps(const std::vector<StepLayer>& chain, long rows) {
  for (const StepLayer& s : chain) rows = windowOutputSteps(s, rows);
  return rows;
}

long fewestRows(const std::vector<StepLayer>& chain) {
  // Output counts never fall as rows grow, and every window fits once the rows reach the product of the
  // (effective window × stride) of the layers, so the search ends there.
  constexpr long kCap = 1L << 40;  // saturated before it can overflow: no table has that many rows
  long bound = 1;
  for (const StepLayer& s : chain)
    if (s.mixesSteps()) {
      const long factor = effectiveWindow(s) + s.stride;
      bound = factor > kCap / bound ? kCap : std::min(bound * factor, kCap);
    }
  long low = 1, high = bound;
  while (low < high) {
    const long mid = low + (high - low) / 2;
    if (chainOutputSteps(chain, mid) > 0)
      high = mid;
    else
      low = mid + 1;
  }
  return low;
}

std::pair<long, long> rowsGivingSteps(const std::vector<StepLayer>& chain, long steps) {
  // Output counts never fall as rows grow: the first count reaching `steps` and the first passing it.
  const auto firstReaching = [&](long wanted) {
    long low = 1, high = 1L << 40;
    while (low < high) {
      const long mid = low + (high - low) / 2;
      if (chainOutputSteps(chain, mid) >= wanted)
        high = mid;
      else
        low = mid + 1;
    }
    return low;
  };
  const long first = firstReaching(steps);
  if (chainOutputSteps(chain, first) != steps) return {0, -1};
  return {first, firstReaching(steps + 1) - 1};
}

std::vector<RowSpan> rowsReadByStep(const std::vector<StepLayer>& chain, long rows) {
  std::vector<RowSpan> spans(static_cast<size_t>(std::max(rows, 0L)));
  for (long r = 0; r < rows; ++r) spans[static_cast<size_t>(r)] = {r, r};
  for (const StepLayer& s : chain) {
    // Step t reads every row any step up to its own reads: a dilated or strided window before it can make a
    // step's last row come before the previous step's, so the span keeps the largest last row too.
    if (s.kind == StepLayer::Kind::Recurrent) {
      for (size_t t = 1; t < spans.size(); ++t)
        if (!spans[t - 1].empty())
          spans[t] = spans[t].empty() ? spans[t - 1]
                                      : RowSpan{std::min(spans[t - 1].first, spans[t].first),
                                                std::max(spans[t - 1].last, spans[t].last)};
      if (!s.returnSequences && !spans.empty()) spans = {spans.back()};
      continue;
    }
    if (s.kind == StepLayer::Kind::Repeat) {
      spans = spans.empty() ? spans : std::vector<RowSpan>(static_cast<size_t>(s.repeats), spans.front());
      continue;
    }
    if (!s.mixesSteps()) continue;
    const long steps = static_cast<long>(spans.size());
    const long outSteps = windowOutputSteps(s, steps), before = paddingBefore(s, steps);
    std::vector<RowSpan> next(static_cast<size_t>(outSteps));
    for (long t = 0; t < outSteps; ++t) {
      RowSpan span = kNoRows;
      for (long j = 0; j < s.window; ++j) {
        const long p = tapStep(s, before, t, j);
        if (p < 0 || p >= steps || spans[static_cast<size_t>(p)].empty()) continue;
        const RowSpan& read = spans[static_cast<size_t>(p)];
        span = span.empty() ? read : RowSpan{std::min(span.first, read.first), std::max(span.last, read.last)};
      }
      next[static_cast<size_t>(t)] = span;
    }
    spans = std::move(next);
  }
  return spans;
}

long lastRowReadBy(const std::vector<RowSpan>& spans, long step) {
  if (spans.empty()) return step;
  if (step < 0 || step >= static_cast<long>(spans.size())) return -1;
  const RowSpan& span = spans[static_cast<size_t>(step)];
  return span.empty() ? -1 : span.last;
}

}  // namespace lstmscope
