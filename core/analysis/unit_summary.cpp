#include "core/analysis/unit_summary.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace lstmscope {
namespace {

constexpr int kFinestExponent = -24;         // bins no narrower than 2^-24, below float's resolution near 1
constexpr double kLargestBinIndex = 4.0e18;  // floor(v / width) must fit an int64
constexpr double kExactBinIndex = 4.0e15;    // below 2^52: bin index arithmetic in double is exact

bool higherFirst(float a, int64_t aStep, float b, int64_t bStep) {
  return a > b || (a == b && aStep < bStep);
}
bool lowerFirst(float a, int64_t aStep, float b, int64_t bStep) {
  return a < b || (a == b && aStep < bStep);
}

}  // namespace

inline void UnitSummaryBuilder::ExactSums::add(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const uint32_t biased = (bits >> 23) & 0xffu;
  const uint32_t exponent = std::max<uint32_t>(biased, 1);  // denormals share the smallest normal's scale
  const uint64_t scaled = (static_cast<uint64_t>(bits & 0x7fffffu) | (biased ? 0x800000u : 0u)) << (exponent & 7);
  const uint32_t group = exponent >> 3;
  values[group] += (bits >> 31) ? -static_cast<int64_t>(scaled) : static_cast<int64_t>(scaled);
  squares[group] += static_cast<Uint128>(scaled) * scaled;
}

void UnitSummaryBuilder::ExactSums::add(const ExactSums& other) {
  for (int g = 0; g < kExponentGroups; ++g) values[g] += other.values[g], squares[g] += other.squares[g];
}

// Group g holds multiples of 2^(8g - 150) (squares: 2^(16g - 300)); the groups are added smallest first,
// so the rounded total depends only on the exact group totals.
double UnitSummaryBuilder::ExactSums::sum() const {
  double total = 0;
  for (int g = 0; g < kExponentGroups; ++g) total += std::ldexp(static_cast<double>(values[g]), 8 * g - 150);
  return total;
}
double UnitSummaryBuilder::ExactSums::sumOfSquares() const {
  double total = 0;
  for (int g = 0; g < kExponentGroups; ++g) total += std::ldexp(static_cast<double>(squares[g]), 16 * g - 300);
  return total;
}

UnitSummaryBuilder::UnitSummaryBuilder(int units, std::vector<int64_t> documentOffsets, UnitSummaryOptions options)
    : offsets_(std::move(documentOffsets)), options_(options) {
  if (units < 0 || options_.bins < 1 || options_.top < 1 || options_.radius < 0 || offsets_.size() < 2)
    throw std::invalid_argument("UnitSummaryBuilder: bad shape or options");
  keep_ = static_cast<size_t>(options_.top) * static_cast<size_t>(2 * options_.radius + 1);
  units_.resize(static_cast<size_t>(units));
  for (UnitState& u : units_) u.exponent = kFinestExponent, u.scale = std::ldexp(1.0, -kFinestExponent);
}

void UnitSummaryBuilder::add(long firstStep, long steps, const float* data, long stride) {
  // The block unit-major first, so that each unit's values are contiguous: its numbers then come from
  // vectorised passes, and its histogram and candidates stay in cache while its column passes (reading the
  // columns in place touched a cache line per value: 12 ns a value, half a recording's time).
  constexpr long kTile = 16;  // units per pass of the transposition: one cache line of floats
  columns_.resize(static_cast<size_t>(steps) * units_.size());
  for (size_t first = 0; first < units_.size(); first += kTile) {
    const size_t end = std::min(units_.size(), first + kTile);
    for (long k = 0; k < steps; ++k)
      for (size_t u = first; u < end; ++u)
        columns_[u * static_cast<size_t>(steps) + static_cast<size_t>(k)] = data[k * stride + static_cast<long>(u)];
  }
  for (size_t u = 0; u < units_.size(); ++u)
    addColumn(units_[u], firstStep, steps, columns_.data() + u * static_cast<size_t>(steps));
}

// One unit's values at steps [firstStep, firstStep + steps). A block of finite values whose bins are all in
// the histogram's range (the common case) takes the exact sums, one tight loop over the bins and a
// comparison per value with each end's bar; any other block goes value by value.
void UnitSummaryBuilder::addColumn(UnitState& unit, long firstStep, long steps, const float* values) {
  if (steps == 0) return;
  const Eigen::Map<const Eigen::ArrayXf> a(values, steps);
  const bool finite = a.allFinite();
  const double low = finite ? a.minCoeff() : 0, high = finite ? a.maxCoeff() : 0;
  const auto inRange = [&](double v) {
    const double scaled = std::floor(v * unit.scale), bin = scaled - static_cast<double>(unit.firstBin);
    return std::fabs(scaled) < kExactBinIndex && bin >= 0 && bin < options_.bins;
  };
  if (!(finite && unit.count > 0 && inRange(low) && inRange(high))) {
    for (long k = 0; k < steps; ++k) addValue(unit, values[k], firstStep + k);
    return;
  }
  for (long k = 0; k < steps; ++k)
    ++unit.counts[static_cast<size_t>(std::floor(values[k] * unit.scale) - static_cast<double>(unit.firstBin))];
  unit.min = std::min(unit.min, low), unit.max = std::max(unit.max, high);
  unit.count += steps;
  for (long k = 0; k < steps; ++k) unit.sums.add(values[k]);
  // Candidates: only values at or past a bar can enter (the bars rise as the block's values enter).
  if (!unit.high.barred || high >= unit.high.bar.value)
    for (long k = 0; k < steps; ++k)
      if (!unit.high.barred || higherFirst(values[k], firstStep + k, unit.high.bar.value, unit.high.bar.step))
        offer(unit.high, {values[k], firstStep + k}, true);
  if (!unit.low.barred || low <= unit.low.bar.value)
    for (long k = 0; k < steps; ++k)
      if (!unit.low.barred || lowerFirst(values[k], firstStep + k, unit.low.bar.value, unit.low.bar.step))
        offer(unit.low, {values[k], firstStep + k}, false);
}

// Inlined into add(): the common case (a bin in range, a value that beats neither end's bar) costs a few
// instructions; everything else goes to addToHistogram and offer.
inline void UnitSummaryBuilder::addValue(UnitState& unit, float value, int64_t step) {
  if (!std::isfinite(value)) {
    ++unit.nonFinite;
    return;
  }
  const double v = value;
  const double scaled = std::floor(v * unit.scale);  // scale = 2^-exponent: exact
  const double bin = scaled - static_cast<double>(unit.firstBin);
  if (unit.count > 0 && std::fabs(scaled) < kExactBinIndex && bin >= 0 && bin < options_.bins)
    ++unit.counts[static_cast<size_t>(bin)];
  else
    addToHistogram(unit, v);
  if (unit.count == 0) unit.min = unit.max = v;
  unit.min = std::min(unit.min, v), unit.max = std::max(unit.max, v);
  ++unit.count;
  unit.sums.add(value);
  const Candidate c{value, step};
  if (!unit.high.barred || higherFirst(value, step, unit.high.bar.value, unit.high.bar.step)) offer(unit.high, c, true);
  if (!unit.low.barred || lowerFirst(value, step, unit.low.bar.value, unit.low.bar.step)) offer(unit.low, c, false);
}

bool UnitSummaryBuilder::rankedBefore(const Candidate& a, const Candidate& b, bool highest) {
  return highest ? higherFirst(a.value, a.step, b.value, b.step) : lowerFirst(a.value, a.step, b.value, b.step);
}

// The best `keep_` candidates of one end, without a heap: candidates collect in a buffer of twice that;
// when it is full, a selection keeps the best half and the worst of those becomes the bar a value must
// beat. A value below the bar costs one comparison, and a selection every `keep_` entries costs O(keep_),
// so each entry costs O(1) (a heap's sift cost 40 ns a value on a short trace, most of the builder's time).

void UnitSummaryBuilder::offer(Candidates& end, Candidate c, bool highest) const {
  const auto better = [highest](const Candidate& a, const Candidate& b) { return rankedBefore(a, b, highest); };
  if (end.barred && !better(c, end.bar)) return;
  end.kept.push_back(c);
  if (end.kept.size() < 2 * keep_) return;
  std::nth_element(end.kept.begin(), end.kept.begin() + static_cast<long>(keep_) - 1, end.kept.end(), better);
  end.kept.resize(keep_);
  end.bar = end.kept.back(), end.barred = true;  // the worst of the best keep_: nth_element put it last
}

// Bins are absolute: value v falls in bin floor(v / 2^exponent), and counts[j] is bin firstBin + j, where
// firstBin is the minimum's bin. When the values seen span more than `bins` bins the width doubles
// (pairs of bins merge), so the final width is the smallest that fits the final [min, max], whatever the
// order of the values.
void UnitSummaryBuilder::addToHistogram(UnitState& unit, double v) {
  const int64_t bins = options_.bins;
  if (unit.counts.empty()) unit.counts.assign(static_cast<size_t>(bins), 0);
  for (;;) {
    const double scaled = std::floor(v * unit.scale);  // scale = 2^-exponent: exact
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
    const auto maxBin = static_cast<int64_t>(std::floor(unit.max * unit.scale));
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
  unit.scale = std::ldexp(1.0, -unit.exponent);
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
  // Taken best first from a heap: the greedy pass stops after `top` kept, usually long before the end, so
  // sorting all candidates (of every unit, at the end of every recording) was most of a short one's time.
  const auto worse = [highest](const Candidate& a, const Candidate& b) { return rankedBefore(b, a, highest); };
  std::make_heap(candidates.begin(), candidates.end(), worse);
  const auto documentOf = [this](int64_t step) {
    return std::upper_bound(offsets_.begin(), offsets_.end(), step) - offsets_.begin();
  };
  std::vector<Candidate> kept;
  for (auto end = candidates.end(); end != candidates.begin(); --end) {
    std::pop_heap(candidates.begin(), end, worse);
    const Candidate& c = *(end - 1);
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
    s.mean[u] = unit.sums.sum() / n;
    s.stddev[u] = std::sqrt(std::max(0.0, unit.sums.sumOfSquares() / n - s.mean[u] * s.mean[u]));
    s.min[u] = unit.min, s.max[u] = unit.max;
    s.binWidth[u] = std::ldexp(1.0, unit.exponent);
    s.binStart[u] = static_cast<double>(unit.firstBin) * s.binWidth[u];
    std::copy(unit.counts.begin(), unit.counts.end(), s.histogram.begin() + static_cast<long>(u * bins));
    const auto store = [&](const std::vector<Candidate>& picked, std::vector<int64_t>& steps,
                           std::vector<float>& values) {
      for (size_t k = 0; k < picked.size(); ++k)
        steps[u * top + k] = picked[k].step, values[u * top + k] = picked[k].value;
    };
    store(pick(unit.high.kept, true), s.highSteps, s.highValues);
    store(pick(unit.low.kept, false), s.lowSteps, s.lowValues);
  }
  return s;
}

}  // namespace lstmscope
