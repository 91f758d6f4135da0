#include "core/analysis/match.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <queue>
#include <stdexcept>

#include "core/analysis/on_rule.h"

namespace lstmscope {

static_assert(std::endian::native == std::endian::little, "the on-index is read as little-endian words");

namespace {

// One bit per unit.
using Bits = std::vector<uint64_t>;

int countOf(const Bits& bits) {
  int n = 0;
  for (uint64_t w : bits) n += std::popcount(w);
  return n;
}

// The runs "at least k selected units on" for k = 1..n, open at the current step. They nest: the run for
// k + 1 lies inside the run for k, so their starts never decrease with k.
struct OpenRun {
  long start = -1;  // -1: no run open for this k
  Bits units;       // on at every step so far (and off before the start, when constrained)
};

class Matcher {
 public:
  Matcher(int units, const MatchQuery& q) : q_(q), words_((units + 63) / 64), runs_(q.units.size()) {
    for (int u : q.units) selected_.resize(words_), selected_[u / 64] |= uint64_t(1) << (u % 64);
    for (OpenRun& r : runs_) r.units.assign(words_, 0);
    previous_.assign(words_, 0);
  }

  // Step `t` of document `document`, its units that are on, and how many of them are selected.
  void step(long t, int document, const Bits& on, int selectedOn, bool firstOfDocument) {
    closeAbove(selectedOn, t, document, &on);
    open_ = selectedOn;
    for (int k = 1; k <= selectedOn; ++k) {
      OpenRun& r = runs_[k - 1];
      if (r.start < 0) {
        r.start = t;
        for (int w = 0; w < words_; ++w)
          r.units[w] = on[w] & ((q_.constrainLeft && !firstOfDocument) ? ~previous_[w] : ~uint64_t(0));
      } else {
        for (int w = 0; w < words_; ++w) r.units[w] &= on[w];
      }
    }
    if (q_.constrainLeft) std::copy(on.begin(), on.end(), previous_.begin());  // only the left border reads it
  }

  // The document ends before step `end`: every open run ends there (outside a document counts as off).
  void endDocument(long end, int document) {
    closeAbove(0, end, document, nullptr);
    open_ = 0;
  }

  MatchResult result(long steps) {
    MatchResult out;
    out.candidates = candidates_;
    out.steps = steps;
    while (!best_.empty()) out.matches.push_back(best_.top()), best_.pop();
    std::reverse(out.matches.begin(), out.matches.end());
    return out;
  }

 private:
  // Ends the runs of every k > `selectedOn` at `end`; `next` is the step at `end` (null outside the
  // document). Runs of several k with the same start are one candidate.
  void closeAbove(int selectedOn, long end, int document, const Bits* next) {
    long lastStart = -1;
    for (int k = open_; k > selectedOn; --k) {
      OpenRun& r = runs_[k - 1];
      if (r.start < 0) continue;
      if (r.start != lastStart) consider(r, end, document, next);
      lastStart = r.start;
      r.start = -1;
    }
  }

  void consider(const OpenRun& r, long end, int document, const Bits* next) {
    const long length = end - r.start;
    if (q_.phraseLength > 0 ? length != q_.phraseLength : length < 2) return;
    ++candidates_;
    // S2 word by word (the run's units, off after it when constrained), without a copy: most candidates
    // are ranked and dropped at once.
    const bool right = q_.constrainRight && next;
    const auto s2 = [&](int w) { return right ? r.units[w] & ~(*next)[w] : r.units[w]; };
    Match m;
    m.start = r.start, m.length = length, m.document = document;
    int both = 0, all = 0;
    for (int w = 0; w < words_; ++w) {
      const uint64_t bits = s2(w);
      both += std::popcount(bits & selected_[w]), all += std::popcount(bits);
    }
    m.intersection = both;
    m.unionSize = static_cast<int>(q_.units.size()) + all - both;
    if (static_cast<int>(best_.size()) == q_.top && !rankedBefore(m, best_.top())) return;
    for (int w = 0; w < words_; ++w)
      for (uint64_t bits = s2(w); bits; bits &= bits - 1) m.units.push_back(w * 64 + std::countr_zero(bits));
    best_.push(std::move(m));
    if (static_cast<int>(best_.size()) > q_.top) best_.pop();
  }

  const MatchQuery& q_;
  const int words_;
  Bits selected_, previous_;
  std::vector<OpenRun> runs_;  // runs_[k - 1]: at least k selected units on
  int open_ = 0;               // the runs of k = 1 .. open_ are open (those of the last step's count)
  long candidates_ = 0;
  // The best `top` so far, the worst on top.
  std::priority_queue<Match, std::vector<Match>, decltype(&rankedBefore)> best_{&rankedBefore};
};

void checkQuery(int units, const std::vector<int64_t>& offsets, const MatchQuery& q) {
  if (q.units.empty()) throw std::invalid_argument("no unit is selected");
  std::vector<int> sorted = q.units;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("a unit is selected twice");
  if (sorted.front() < 0 || sorted.back() >= units)
    throw std::invalid_argument("unit " + std::to_string(sorted.front() < 0 ? sorted.front() : sorted.back()) +
                                " does not exist (the quantity has " + std::to_string(units) + " units)");
  if (q.phraseLength < 0 || q.top < 1) throw std::invalid_argument("the phrase length and top must be positive");
  if (offsets.size() < 2 || offsets.front() != 0 || !std::is_sorted(offsets.begin(), offsets.end()))
    throw std::invalid_argument("document offsets must rise from 0");
}

}  // namespace

bool rankedBefore(const Match& a, const Match& b) {
  if (a.intersection != b.intersection) return a.intersection > b.intersection;
  if (a.unionSize != b.unionSize) return a.unionSize < b.unionSize;
  if (a.length != b.length) return a.length > b.length;
  return a.start < b.start;
}

namespace {

// The scan both entry points share: `fill(first, count)` prepares a window of steps, `onBits(j, on)` sets
// the units on at its step j.
// `window`: steps read at a time.
template <class Fill, class OnBits>
MatchResult scan(int units, const std::vector<int64_t>& offsets, const MatchQuery& query,
                 const ProgressCallbacks& progress, long window, Fill fill, OnBits onBits) {
  checkQuery(units, offsets, query);
  const long steps = offsets.back();
  const long kWindow = window;
  Matcher matcher(units, query);
  Bits on((units + 63) / 64), selectedMask(on.size(), 0);
  for (int u : query.units) selectedMask[static_cast<size_t>(u / 64)] |= uint64_t(1) << (u % 64);
  size_t document = 0;
  for (long first = 0; first < steps; first += kWindow) {
    checkCancelled(progress);
    const long count = std::min(kWindow, steps - first);
    fill(first, count);
    for (long j = 0; j < count; ++j) {
      const long t = first + j;
      bool firstOfDocument = t == 0;
      while (offsets[document + 1] <= t) {  // past the end of this document (empty ones are skipped)
        matcher.endDocument(offsets[document + 1], static_cast<int>(document));
        ++document, firstOfDocument = true;
      }
      onBits(j, on);
      int selectedOn = 0;
      for (size_t w = 0; w < on.size(); ++w) selectedOn += std::popcount(on[w] & selectedMask[w]);
      matcher.step(t, static_cast<int>(document), on, selectedOn, firstOfDocument);
    }
    reportProgress(progress, first + count, steps);
  }
  for (; document + 1 < offsets.size(); ++document)
    matcher.endDocument(offsets[document + 1], static_cast<int>(document));
  return matcher.result(steps);
}

}  // namespace

MatchResult findMatches(const StepWindowReader& read, int units, const std::vector<int64_t>& offsets,
                        const MatchQuery& query, const ProgressCallbacks& progress) {
  const std::optional<float> lowestOn = lowestOnValue({query.threshold, query.tanh});
  Mat<float> values;
  return scan(
      units, offsets, query, progress, 4096,  // 16 chunks of 256 steps: 8 MB of 512 float32 units
      [&](long first, long count) {
        values = read(first, count);
        if (values.rows() != units || values.cols() != count)
          throw std::invalid_argument("a window of the wrong shape");
      },
      [&](long j, Bits& on) {
        std::fill(on.begin(), on.end(), 0);
        const float* column = values.data() + j * values.rows();
        if (lowestOn)
          for (int u = 0; u < units; ++u)
            if (column[u] >= *lowestOn) on[u / 64] |= uint64_t(1) << (u % 64);
      });
}

MatchResult findMatchesInIndex(const StepBitsReader& read, int units, const std::vector<int64_t>& offsets,
                               const MatchQuery& query, const ProgressCallbacks& progress) {
  const size_t rowBytes = (static_cast<size_t>(units) + 7) / 8;
  std::vector<uint8_t> rows;
  // Whole chunks of the index (16,384 steps, docs/FORMAT.md): a smaller window re-reads its chunk each time
  // (a 1 MB chunk does not fit libhdf5's default 1 MB chunk cache), which made reading 3 times slower.
  return scan(
      units, offsets, query, progress, 4 * 16384,
      [&](long first, long count) {
        rows = read(first, count);
        if (rows.size() != rowBytes * static_cast<size_t>(count))
          throw std::invalid_argument("a window of the wrong size");
      },
      [&](long j, Bits& on) {
        std::fill(on.begin(), on.end(), 0);
        // Unit u is bit u % 8 of byte u / 8: on a little-endian machine, bit u % 64 of 64-bit word u / 64.
        std::memcpy(on.data(), rows.data() + static_cast<size_t>(j) * rowBytes, rowBytes);
        if (units % 8) on[(units - 1) / 64] &= ~uint64_t(0) >> (63 - (units - 1) % 64);  // no bits past the units
      });
}

}  // namespace lstmscope

namespace lstmscope {

MatchContext matchContext(const StepWindowReader& read, const std::vector<int64_t>& offsets, const Match& match,
                          const MatchQuery& query, long context, long runShown) {
  const size_t d = static_cast<size_t>(match.document);
  if (d + 1 >= offsets.size()) throw std::invalid_argument("matchContext: the match's document does not exist");
  MatchContext out;
  out.first = std::max<long>(offsets[d], match.start - context);
  out.end = std::min<long>(offsets[d + 1], match.start + match.length + context);
  out.gapFirst = out.gapEnd = match.start + match.length;
  if (runShown > 0 && match.length > 2 * runShown)
    out.gapFirst = match.start + runShown, out.gapEnd = match.start + match.length - runShown;
  const std::optional<float> lowest = lowestOnValue({query.threshold, query.tanh});
  // The two pieces around the gap are read apart: a run can be a million steps long.
  for (const auto& [first, end] : {std::pair{out.first, out.gapFirst}, std::pair{out.gapEnd, out.end}}) {
    if (end <= first) continue;
    const Mat<float> values = read(first, end - first);
    for (long t = 0; t < values.cols(); ++t) {
      int on = 0;
      for (int u : query.units)
        if (lowest && values(u, t) >= *lowest) ++on;
      out.steps.push_back(first + t);
      out.onCount.push_back(on);
    }
  }
  return out;
}

}  // namespace lstmscope
