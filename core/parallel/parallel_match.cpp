#include "core/parallel/parallel_match.h"

#include <algorithm>

#include "core/analysis/on_rule.h"
#include "core/analysis/trace_window.h"
#include "core/common/byte_buffer.h"
#include "core/parallel/parallel_record.h"
#include "core/parallel/ranks.h"

namespace lstmscope {
namespace {

std::vector<uint8_t> serialize(const MatchResult& r) {
  ByteWriter b;
  b.put<int64_t>(r.candidates), b.put<int64_t>(r.steps), b.put<int64_t>(static_cast<int64_t>(r.matches.size()));
  for (const Match& m : r.matches) {
    b.put<int64_t>(m.start), b.put<int64_t>(m.length), b.put<int32_t>(m.document);
    b.put<int32_t>(m.intersection), b.put<int32_t>(m.unionSize);
    b.putVector<int32_t>(std::vector<int32_t>(m.units.begin(), m.units.end()));
  }
  return b.take();
}

MatchResult deserialize(const std::vector<uint8_t>& bytes, int units) {
  ByteReader b(bytes, "a rank's match result");
  MatchResult r;
  r.candidates = b.get<int64_t>(), r.steps = b.get<int64_t>();
  const auto n = b.get<int64_t>();
  for (int64_t k = 0; k < n; ++k) {
    Match m;
    m.start = b.get<int64_t>(), m.length = b.get<int64_t>(), m.document = b.get<int32_t>();
    m.intersection = b.get<int32_t>(), m.unionSize = b.get<int32_t>();
    const std::vector<int32_t> matched = b.getVector<int32_t>(static_cast<size_t>(units));
    m.units.assign(matched.begin(), matched.end());
    r.matches.push_back(std::move(m));
  }
  b.expectEnd();
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
  for (const std::vector<uint8_t>& bytes : ranks::allGather(serialize(part)))
    parts.push_back(deserialize(bytes, trace.units(layer)));
  out.result = mergeMatchResults(parts, query.top);
  out.result.steps = trace.steps();
  return out;
}

}  // namespace lstmscope
