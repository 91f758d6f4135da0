// `record` of a corpus across the ranks of an MPI run (docs/SCALING.md): the documents are shared out among the
// ranks, each rank records its share into one trace file that all write at once, and the result is the trace
// one rank would have written, dataset for dataset and bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/record.h"
#include "core/formats/trace_file.h"

namespace lstmscope {

// Documents [first, end) of a corpus.
struct DocumentShare {
  int first = 0;
  int end = 0;
};

// One contiguous share of the documents per rank, balanced by steps: rank r's share ends at the document
// boundary nearest to (r + 1) / ranks of the steps (documents are not cut: a document's state runs on from
// its first step). With fewer documents than ranks, or one long document, some shares are empty.
// `offsets`: D+1 rising offsets from 0 (docs/FORMAT.md "Documents").
std::vector<DocumentShare> shareDocuments(const std::vector<int64_t>& offsets, int ranks);

// Records `in` (a corpus: header.documentOffsets are its documents) to the trace at `path` across all ranks.
// Every rank passes the same arguments (the whole input); each runs its share of the documents. The root writes
// the header and the unit summaries merged from every rank's, then renames the trace into place. Collective.
// When any rank fails, every rank throws the same InputError naming the first failed rank and its reason, and
// no trace is left at `path` (an old one is untouched). `progress`: the calling rank's own share.
template <class T>
void recordAcrossRanks(const Network<T>& net, const Architecture& arch, int headOutputs, const Inputs<T>& in,
                       RecordRequest request, const TraceHeader& header, const std::string& path,
                       const ProgressCallbacks& progress = {});

}  // namespace lstmscope
