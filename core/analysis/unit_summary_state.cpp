// Merging unit-summary builders, and their state as bytes (core/analysis/unit_summary.h): the ranks of an
// MPI run each build the summaries of their steps, and one rank merges them (docs/SCALING.md).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/analysis/unit_summary.h"
#include "core/common/byte_buffer.h"

namespace lstmscope {

// Each of other's bins, lowest first, goes in as if its values arrived (the unit's maximum follows the
// bins, as addToHistogram's logic needs), so the width ends as the narrowest that fits both parts.
void UnitSummaryBuilder::merge(const UnitSummaryBuilder& other) {
  if (other.units_.size() != units_.size() || other.offsets_ != offsets_ || other.options_.bins != options_.bins ||
      other.options_.top != options_.top || other.options_.radius != options_.radius)
    throw std::invalid_argument("UnitSummaryBuilder::merge: builders of different shapes");
  for (size_t u = 0; u < units_.size(); ++u) {
    UnitState& unit = units_[u];
    const UnitState& part = other.units_[u];
    unit.nonFinite += part.nonFinite;
    for (const Candidate& c : part.high.kept) offer(unit.high, c, true);
    for (const Candidate& c : part.low.kept) offer(unit.low, c, false);
    if (part.count == 0) continue;
    if (unit.count == 0) {
      const Candidates high = std::move(unit.high), low = std::move(unit.low);
      const int64_t nonFinite = unit.nonFinite;
      unit = part;
      unit.high = high, unit.low = low, unit.nonFinite = nonFinite;
      continue;
    }
    while (unit.exponent < part.exponent) coarsen(unit);
    for (size_t j = 0; j < part.counts.size(); ++j)
      if (part.counts[j] != 0)
        addBinCount(unit, part.firstBin + static_cast<int64_t>(j), part.exponent, part.counts[j]);
    unit.min = std::min(unit.min, part.min), unit.max = std::max(unit.max, part.max);
    unit.count += part.count;
    unit.sums.add(part.sums);
  }
}

void UnitSummaryBuilder::addBinCount(UnitState& unit, int64_t bin, int exponent, int64_t count) {
  const auto bins = static_cast<int64_t>(options_.bins);
  for (;;) {
    // An arithmetic shift floors, also below zero; 63 or more places leave the sign alone.
    const int shift = unit.exponent - exponent;
    const int64_t at = shift >= 63 ? (bin < 0 ? -1 : 0) : bin >> shift;
    if (at >= unit.firstBin && at - unit.firstBin < bins) {
      unit.counts[static_cast<size_t>(at - unit.firstBin)] += count;
      break;
    }
    const auto maxBin = static_cast<int64_t>(std::floor(unit.max * unit.scale));
    if (at < unit.firstBin && maxBin - at < bins) {
      const int64_t shift = unit.firstBin - at;
      std::rotate(unit.counts.rbegin(), unit.counts.rbegin() + shift, unit.counts.rend());
      unit.firstBin = at;
      unit.counts[0] += count;
      break;
    }
    coarsen(unit);
  }
  // The bin's lower edge: at this width and any coarser one it falls in the same bin as the values it counts.
  unit.max = std::max(unit.max, std::ldexp(static_cast<double>(bin), exponent));
}

std::vector<uint8_t> UnitSummaryBuilder::serialize() const {
  // An end's best keep_ candidates are all that a merge or a pick can use: the rest are not sent.
  const auto bestKept = [this](const Candidates& end, bool highest) {
    std::vector<Candidate> kept = end.kept;
    if (kept.size() <= keep_) return kept;
    std::nth_element(kept.begin(), kept.begin() + static_cast<long>(keep_) - 1, kept.end(),
                     [highest](const Candidate& a, const Candidate& b) { return rankedBefore(a, b, highest); });
    kept.resize(keep_);
    return kept;
  };
  ByteWriter w;
  w.put(static_cast<uint64_t>(units_.size()));
  for (const UnitState& unit : units_) {
    w.put(unit.count), w.put(unit.nonFinite), w.put(unit.sums), w.put(unit.min), w.put(unit.max);
    w.put(unit.exponent), w.put(unit.firstBin);
    w.putVector(unit.counts);
    for (const Candidates* end : {&unit.high, &unit.low}) {
      w.putVector(bestKept(*end, end == &unit.high));
      w.put(end->bar), w.put(static_cast<uint8_t>(end->barred));
    }
  }
  return w.take();
}

UnitSummaryBuilder UnitSummaryBuilder::deserialize(const std::vector<uint8_t>& bytes, int units,
                                                   std::vector<int64_t> documentOffsets, UnitSummaryOptions options) {
  UnitSummaryBuilder b(units, std::move(documentOffsets), options);
  ByteReader r(bytes, "unit summary state");
  if (r.get<uint64_t>() != static_cast<uint64_t>(units))
    throw std::invalid_argument("unit summary state: another number of units");
  for (UnitState& unit : b.units_) {
    unit.count = r.get<int64_t>(), unit.nonFinite = r.get<int64_t>(), unit.sums = r.get<ExactSums>();
    unit.min = r.get<double>(), unit.max = r.get<double>();
    unit.exponent = r.get<int>(), unit.firstBin = r.get<int64_t>();
    // What a builder can hold: counts not negative, a width from 2^-24 to 2^1100 (float's range, doubled
    // enough times for any bin index), a histogram of `bins` bins exactly when a value was seen.
    if (unit.count < 0 || unit.nonFinite < 0 || unit.exponent < -24 || unit.exponent > 1100)
      throw std::invalid_argument("unit summary state: a count or bin width out of range");
    unit.scale = std::ldexp(1.0, -unit.exponent);
    unit.counts = r.getVector<int64_t>(static_cast<size_t>(options.bins));
    if (unit.counts.size() != (unit.count > 0 ? static_cast<size_t>(options.bins) : size_t(0)))
      throw std::invalid_argument("unit summary state: a histogram of another number of bins");
    for (Candidates* end : {&unit.high, &unit.low}) {
      end->kept = r.getVector<Candidate>(2 * b.keep_);
      end->bar = r.get<Candidate>(), end->barred = r.get<uint8_t>() != 0;
    }
  }
  r.expectEnd();
  return b;
}

}  // namespace lstmscope
