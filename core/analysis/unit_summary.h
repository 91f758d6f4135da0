// The unit dashboard's numbers (docs/FORMAT.md "Unit summaries"): for every unit of one recorded
// quantity, over a whole trace, its moments, an exact histogram and the steps where it is highest and
// lowest, computed in one streaming pass over blocks of steps. The result does not depend on the order
// in which blocks arrive, nor on how the steps are shared out, bit for bit (the sums are exact): `record`
// builds it while it writes, a scan of an older trace gives the same numbers, and builders of disjoint
// parts of a trace (the ranks of an MPI run, docs/SCALING.md) merge into the builder of the whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lstmscope {

struct UnitSummaryOptions {
  int bins = 64;    // histogram bins
  int top = 20;     // contexts kept at each end
  int radius = 10;  // two kept steps of one document are more than this many steps apart
};

// The summaries of all H units of one quantity; per-unit arrays are indexed by unit, [u * bins + b] and
// [u * top + k] for the 2-D ones.
struct UnitSummaries {
  int units = 0;
  UnitSummaryOptions options;
  std::vector<int64_t> count;                  // finite values
  std::vector<int64_t> nonFinite;              // NaN and ±infinity (in no other number)
  std::vector<double> mean, stddev, min, max;  // population standard deviation; NaN with no finite value
  // Bin b of unit u holds the values v with binStart[u] + b·binWidth[u] ≤ v < binStart[u] + (b+1)·binWidth[u].
  // binWidth is a power of two, the smallest (from 2^-24) that puts [min, max] into `bins` bins aligned at
  // multiples of the width; binStart is the multiple at or below min.
  std::vector<double> binStart, binWidth;
  std::vector<int64_t> histogram;
  // The highest (and lowest) values, best first: ties go to the earlier step, and a step within `radius`
  // steps of a better one of the same document is passed over. Fewer than `top` are padded with step -1.
  std::vector<int64_t> highSteps, lowSteps;
  std::vector<float> highValues, lowValues;
};

class UnitSummaryBuilder {
 public:
  // `documentOffsets`: D+1 offsets from 0 to T (a single text: {0, T}); steps of different documents never
  // pass each other over.
  UnitSummaryBuilder(int units, std::vector<int64_t> documentOffsets, UnitSummaryOptions options = {});
  // Steps [firstStep, firstStep + steps): step k's value of unit u is data[k * stride + u].
  void add(long firstStep, long steps, const float* data, long stride);
  UnitSummaries finish() const;
  int units() const { return static_cast<int>(units_.size()); }
  // Adds what `other` saw (steps disjoint from this one's, the same units, documents and options): the
  // result equals one builder given both parts' blocks.
  void merge(const UnitSummaryBuilder& other);
  // The builder's state as bytes, and back (unit_summary_state.cpp): how MPI ranks send their builders to be
  // merged. `deserialize` checks the shape against `units` and `options` and throws std::invalid_argument.
  std::vector<uint8_t> serialize() const;
  static UnitSummaryBuilder deserialize(const std::vector<uint8_t>& bytes, int units,
                                        std::vector<int64_t> documentOffsets, UnitSummaryOptions options = {});

 private:
  // Exact sums of finite floats: a float is m·2^(e-150) with an integer m < 2^24 and a biased exponent e
  // (1 for denormals). Values are summed as integers per group of eight exponents, m shifted by e mod 8, so
  // no bit is lost and the totals do not depend on the order of the additions.
  static constexpr int kExponentGroups = 32;
  __extension__ typedef unsigned __int128 Uint128;
  struct ExactSums {
    int64_t values[kExponentGroups] = {};   // Σ ±m·2^(e mod 8): |each| < 2^31, so 2^32 values fit
    Uint128 squares[kExponentGroups] = {};  // Σ (m·2^(e mod 8))²: each < 2^62
    void add(float v);
    void add(const ExactSums& other);
    double sum() const;
    double sumOfSquares() const;
  };
  struct Candidate {
    float value;
    int64_t step;
  };
  struct Candidates {
    std::vector<Candidate> kept;  // holds the best keep_ (and fewer than keep_ more)
    Candidate bar{};              // once barred, only a better candidate can be among the best keep_
    bool barred = false;
  };
  struct UnitState {
    int64_t count = 0, nonFinite = 0;
    ExactSums sums;
    double min = 0, max = 0;
    int exponent;          // bin width 2^exponent
    double scale;          // 2^-exponent, so that v * scale is exact
    int64_t firstBin = 0;  // absolute bin index floor(v / width) of counts[0]
    std::vector<int64_t> counts;
    Candidates high, low;  // the best candidates of each end
  };
  void addColumn(UnitState& unit, long firstStep, long steps, const float* values);
  void addValue(UnitState& unit, float value, int64_t step);
  // Whether `a` ranks before `b` at the highest (or lowest) end: the more extreme value, then the earlier step.
  static bool rankedBefore(const Candidate& a, const Candidate& b, bool highest);
  void offer(Candidates& end, Candidate c, bool highest) const;
  void addToHistogram(UnitState& unit, double value);
  // `count` values in absolute bin `bin` of width 2^exponent, exponent ≤ the unit's (a merge).
  void addBinCount(UnitState& unit, int64_t bin, int exponent, int64_t count);
  void coarsen(UnitState& unit);
  std::vector<Candidate> pick(std::vector<Candidate> candidates, bool highest) const;

  std::vector<int64_t> offsets_;
  UnitSummaryOptions options_;
  size_t keep_;  // candidates kept per end: top · (2 · radius + 1) always holds the `top` picked ones
  std::vector<UnitState> units_;
  std::vector<float> columns_;  // the block being added, unit-major
};

}  // namespace lstmscope
