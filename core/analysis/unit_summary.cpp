#include "core/analysis/unit_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lstmscope {
namespace {

constexpr int kFinestExponent = -24;         // bins no narrower than 2^-24, below float's resolution near 1
constexpr double kLargestBinIndex = 4.0e18;  // floor(v / width) must fit an int64

bool higherFirst(float a, int64_t aStep, float b, int64_t bStep) {
  return a > b || (a == b && aStep < bStep);
}
bool lowerFirst(float a, int64_t aStep, float b, int64_t bStep) {
  return a < b || (a == b && aStep < bStep);
}

}  // namespace

UnitSummaryBuilder::UnitSummaryBuilder(int units, std::vector<int64_t> documentOffsets, UnitSummaryOptions options)
    : offsets_(std::move(documentOffsets)), options_(options) {
  if (units < 0 || options_.bins < 1 || options_.top < 1 || options_.radius < 0 || offsets_.size() < 2)
    throw std::invalid_argument("UnitSummaryBuilder: bad shape or options");
  keep_ = static_cast<size_t>(options_.top) * static_cast<size_t>(2 * options_.radius + 1);
  units_.resize(static_cast<size_t>(units));
  for (UnitState& u : units_) u.exponent = kFinestExponent;
}

void UnitSummaryBuilder::add(long firstStep, long steps, const float* data, long stride) {
  for (long k = 0; k < steps; ++k) {
    const float* row = data + k * stride;
    for (size_t u = 0; u < units_.size(); ++u) addValue(units_[u], row[u], firstStep + k);
  }
}

void UnitSummaryBuilder::addValue(UnitState& unit, float value, int64_t step) {
  if (!std::isfinite(value)) {
    ++unit.nonFinite;
    return;
  }
  const double v = value;
  addToHistogram(unit, v);
  if (unit.count == 0) unit.min = unit.max = v;
  unit.min = std::min(unit.min, v), unit.max = std::max(unit.max, v);
  ++unit.count;
  unit.sum += v, unit.sumSquares += v * v;

  // Heaps with the worst kept candidate on top; a new value enters when it beats that one.
  const auto worseHigh = [](const Candidate& a, const Candidate& b) {
    return higherFirst(a.value, a.step, b.value, b.step);
  };
  const auto worseLow = [](const Candidate& a, const Candidate& b) {
    return lowerFirst(a.value, a.step, b.value, b.step);
  };
  const auto offer = [this](std::vector<Candidate>& heap, Candidate c, auto worse) {
    if (heap.size() < keep_) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end(), worse);
    } else if (worse(c, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      heap.back() = c;
      std::push_heap(heap.begin(), heap.end(), worse);
    }
  };
  offer(unit.high, {value, step}, worseHigh);
  offer(unit.low, {value, step}, worseLow);
}

// Bins are absolute: value v falls in bin floor(v / 2^exponent), and counts[j] is bin firstBin + j, where
// firstBin is the minimum's bin. When the values seen span more than `bins` bins the width doubles
// (pairs of bins merge), so the final width is the smallest that fits the final [min, max], whatever the
// order of the values.
void UnitSummaryBuilder::addToHistogram(UnitState& unit, double v) {
  const int64_t bins = options_.bins;
  if (unit.counts.empty()) unit.counts.assign(static_cast<size_t>(bins), 0);
  for (;;) {
    const double scaled = std::floor(std::ldexp(v, -unit.exponent));
    if (std::fabs(scaled) > kLargestBinIndex) {
      coarsen(unit);
      continue;
    }
    const auto bin = static_cast<int64_t>(scaled);
    if (unit.count == 0) {
      unit.firstBin = bin;
      ++unit.counts[0];
      return;
    }
    if (bin >= unit.firstBin && bin - unit.firstBin < bins) {
      ++unit.counts[static_cast<size_t>(bin - unit.firstBin)];
      return;
    }
    const auto maxBin = static_cast<int64_t>(std::floor(std::ldexp(unit.max, -unit.exponent)));
    if (bin < unit.firstBin && maxBin - bin < bins) {  // a new minimum that still fits: move the bins up
      const int64_t shift = unit.firstBin - bin;
      std::rotate(unit.counts.rbegin(), unit.counts.rbegin() + shift, unit.counts.rend());
      unit.firstBin = bin;
      ++unit.counts[0];
      return;
    }
    coarsen(unit);
  }
}

void UnitSummaryBuilder::coarsen(UnitState& unit) {
  ++unit.exponent;
  if (unit.count == 0) return;
  const int64_t newFirst = unit.firstBin >> 1;  // arithmetic shift: floor division by 2, also below zero
  std::vector<int64_t> merged(unit.counts.size(), 0);
  for (size_t j = 0; j < unit.counts.size(); ++j) {
    const int64_t bin = unit.firstBin + static_cast<int64_t>(j);
    merged[static_cast<size_t>((bin >> 1) - newFirst)] += unit.counts[j];
  }
  unit.counts = std::move(merged);
  unit.firstBin = newFirst;
}

// Greedy from the best: a candidate is kept unless a kept one of the same document lies within `radius`.
// Every kept candidate passes over at most 2·radius others, so the best top·(2·radius + 1) candidates
// always contain the `top` kept ones: the answer over them is the answer over the whole trace.
std::vector<UnitSummaryBuilder::Candidate> UnitSummaryBuilder::pick(std::vector<Candidate> candidates,
                                                                    bool highest) const {
  std::sort(candidates.begin(), candidates.end(), [highest](const Candidate& a, const Candidate& b) {
    return highest ? higherFirst(a.value, a.step, b.value, b.step) : lowerFirst(a.value, a.step, b.value, b.step);
  });
  const auto documentOf = [this](int64_t step) {
    return std::upper_bound(offsets_.begin(), offsets_.end(), step) - offsets_.begin();
  };
  std::vector<Candidate> kept;
  for (const Candidate& c : candidates) {
    if (kept.size() == static_cast<size_t>(options_.top)) break;
    const bool near = std::any_of(kept.begin(), kept.end(), [&](const Candidate& k) {
      return std::llabs(k.step - c.step) <= options_.radius && documentOf(k.step) == documentOf(c.step);
    });
    if (!near) kept.push_back(c);
  }
  return kept;
}

UnitSummaries UnitSummaryBuilder::finish() const {
  UnitSummaries s;
  s.units = static_cast<int>(units_.size());
  s.options = options_;
  const size_t h = units_.size(), bins = static_cast<size_t>(options_.bins), top = static_cast<size_t>(options_.top);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.count.resize(h), s.nonFinite.resize(h), s.mean.assign(h, nan), s.stddev.assign(h, nan), s.min.assign(h, nan);
  s.max.assign(h, nan), s.binStart.assign(h, nan), s.binWidth.assign(h, nan), s.histogram.assign(h * bins, 0);
  s.highSteps.assign(h * top, -1), s.lowSteps.assign(h * top, -1);
  s.highValues.assign(h * top, std::numeric_limits<float>::quiet_NaN()), s.lowValues = s.highValues;
  for (size_t u = 0; u < h; ++u) {
    const UnitState& unit = units_[u];
    s.count[u] = unit.count, s.nonFinite[u] = unit.nonFinite;
    if (unit.count == 0) continue;
    const double n = static_cast<double>(unit.count);
    s.mean[u] = unit.sum / n;
    s.stddev[u] = std::sqrt(std::max(0.0, unit.sumSquares / n - s.mean[u] * s.mean[u]));
    s.min[u] = unit.min, s.max[u] = unit.max;
    s.binWidth[u] = std::ldexp(1.0, unit.exponent);
    s.binStart[u] = static_cast<double>(unit.firstBin) * s.binWidth[u];
    std::copy(unit.counts.begin(), unit.counts.end(), s.histogram.begin() + static_cast<long>(u * bins));
    const auto store = [&](const std::vector<Candidate>& picked, std::vector<int64_t>& steps,
                           std::vector<float>& values) {
      for (size_t k = 0; k < picked.size(); ++k)
        steps[u * top + k] = picked[k].step, values[u * top + k] = picked[k].value;
    };
    store(pick(unit.high, true), s.highSteps, s.highValues);
    store(pick(unit.low, false), s.lowSteps, s.lowValues);
  }
  return s;
}

}  // namespace lstmscope
