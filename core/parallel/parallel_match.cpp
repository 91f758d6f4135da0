#include "core/parallel/parallel_match.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/analysis/on_rule.h"
#include "core/analysis/trace_window.h"
#include "core/parallel/parallel_record.h"
#include "core/parallel/ranks.h"

namespace lstmscope {
namespace {

struct Bytes {
  std::vector<uint8_t> data;
  size_t at = 0;
  void put(int64_t v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    data.insert(data.end(), p, p + sizeof v);
  }
  int64_t get() {
    if (data.size() - at < sizeof(int64_t)) throw std::invalid_argument("a rank sent a truncated match result");
    int64_t v;
    std::memcpy(&v, data.data() + at, sizeof v);
    at += sizeof v;
    return v;
  }
};

std::vector<uint8_t> serialize(const MatchResult& r) {
  Bytes b;
  b.put(r.candidates), b.put(r.steps), b.put(static_cast<int64_t>(r.matches.size()));
  for (const Match& m : r.matches) {
    b.put(m.start), b.put(m.length), b.put(m.document), b.put(m.intersection), b.put(m.unionSize);
    b.put(static_cast<int64_t>(m.units.size()));
    for (int u : m.units) b.put(u);
  }
  return std::move(b.data);
}

MatchResult deserialize(std::vector<uint8_t> bytes) {
  Bytes b{std::move(bytes)};
  MatchResult r;
  r.candidates = b.get(), r.steps = b.get();
  const int64_t n = b.get();
  for (int64_t k = 0; k < n; ++k) {
    Match m;
    m.start = b.get(), m.length = b.get(), m.document = static_cast<int>(b.get());
    m.intersection = static_cast<int>(b.get()), m.unionSize = static_cast<int>(b.get());
    const int64_t units = b.get();
    for (int64_t j = 0; j < units; ++j) m.units.push_back(static_cast<int>(b.get()));
    r.matches.push_back(std::move(m));
  }
  return r;
}

// Runs `scan(offsets, base)` over the share's documents as a trace of their own (offsets from 0, reads
// shifted by `base`) and puts its matches back at the trace's steps and documents.
template <class Scan>
MatchResult matchesInShare(const std::vector<int64_t>& all, DocumentShare share, Scan scan) {
  const long base = all[static_cast<size_t>(share.first)];
  std::vector<int64_t> offsets;
  for (int d = share.first; d <= share.end; ++d) offsets.push_back(all[static_cast<size_t>(d)] - base);
  if (offsets.size() < 2) return {};  // no document
  MatchResult r = scan(offsets, base);
  for (Match& m : r.matches) m.start += base, m.document += share.first;
  return r;
}

}  // namespace

MatchResult findMatchesInDocuments(const StepWindowReader& read, int units, const std::vector<int64_t>& offsets,
                                   DocumentShare share, const MatchQuery& query, const ProgressCallbacks& progress) {
  return matchesInShare(offsets, share, [&](const std::vector<int64_t>& local, long base) {
    return findMatches([&](long first, long count) { return read(base + first, count); }, units, local, query,
                       progress);
  });
}

MatchResult mergeMatchResults(const std::vector<MatchResult>& parts, int top) {
  MatchResult out;
  for (const MatchResult& p : parts) {
    out.candidates += p.candidates, out.steps += p.steps;
    out.matches.insert(out.matches.end(), p.matches.begin(), p.matches.end());
  }
  std::sort(out.matches.begin(), out.matches.end(), rankedBefore);
  if (out.matches.size() > static_cast<size_t>(top)) out.matches.resize(static_cast<size_t>(top));
  return out;
}

TraceMatch matchTraceAcrossRanks(const TraceReader& trace, int layer, int direction, Quantity q,
                                 const MatchQuery& query, bool useIndex, const ProgressCallbacks& progress) {
  const DocumentShare mine = shareDocuments(trace.documentOffsets(), ranks::size())[static_cast<size_t>(ranks::rank())];
  TraceMatch out;
  std::string failure;
  MatchResult part;
  try {
    requireRecorded(trace, layer, direction, q);
    const OnRule rule = defaultOnRule(q);
    out.fromIndex = useIndex && query.threshold == rule.threshold && query.tanh == rule.tanh &&
                    trace.hasOnIndex(layer, direction, q);
    const int units = trace.units(layer);
    if (out.fromIndex)
      part = matchesInShare(trace.documentOffsets(), mine, [&](const std::vector<int64_t>& local, long base) {
        return findMatchesInIndex(
            [&](long first, long count) { return trace.readOnIndex(layer, direction, q, base + first, count); }, units,
            local, query, progress);
      });
    else
      part =
          findMatchesInDocuments([&](long first, long count) { return trace.read(layer, direction, q, first, count); },
                                 units, trace.documentOffsets(), mine, query, progress);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  ranks::throwIfAnyFailed(failure);
  std::vector<MatchResult> parts;
  for (std::vector<uint8_t>& bytes : ranks::allGather(serialize(part))) parts.push_back(deserialize(std::move(bytes)));
  out.result = mergeMatchResults(parts, query.top);
  out.result.steps = trace.steps();
  return out;
}

}  // namespace lstmscope
