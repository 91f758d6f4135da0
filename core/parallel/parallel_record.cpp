#include "core/parallel/parallel_record.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "core/common/byte_buffer.h"
#include "core/common/error.h"
#include "core/formats/atomic_file.h"
#include "core/formats/trace_summaries.h"
#include "core/parallel/ranks.h"
#include "core/parallel/shared_file.h"

namespace lstmscope {
namespace {

// The unit summaries' builders of one rank, one after another, each as its length and bytes.
std::vector<uint8_t> serializeBuilders(const std::vector<std::pair<std::string, UnitSummaryBuilder>>& builders) {
  ByteWriter out;
  for (const auto& [path, builder] : builders) out.putVector(builder.serialize());
  return out.take();
}

// Merges another rank's builders (serializeBuilders) into `into`: the same datasets in the same order.
void mergeBuilders(std::vector<std::pair<std::string, UnitSummaryBuilder>>& into, const std::vector<uint8_t>& bytes,
                   const std::vector<int64_t>& offsets) {
  ByteReader in(bytes, "a rank's unit summaries");
  for (auto& [path, builder] : into)
    builder.merge(UnitSummaryBuilder::deserialize(in.getVector<uint8_t>(bytes.size()), builder.units(), offsets));
  in.expectEnd();
}

template <class T>
Inputs<T> documentsOf(const Inputs<T>& in, long firstStep, long steps) {
  Inputs<T> out;
  out.steps = static_cast<int>(steps);
  out.batch = 1;
  if (!in.tokens.empty()) out.tokens.assign(in.tokens.begin() + firstStep, in.tokens.begin() + firstStep + steps);
  if (in.features.size() > 0)
    out.features = in.features.middleCols(firstStep, steps);
  else
    out.features.resize(in.features.rows(), 0);
  return out;
}

}  // namespace

std::vector<DocumentShare> shareDocuments(const std::vector<int64_t>& offsets, int ranks) {
  const int documents = static_cast<int>(offsets.size()) - 1;
  const double total = static_cast<double>(offsets.back());
  std::vector<DocumentShare> shares(static_cast<size_t>(ranks));
  int next = 0;
  for (int r = 0; r < ranks; ++r) {
    shares[static_cast<size_t>(r)].first = next;
    if (r == ranks - 1) {
      next = documents;
    } else {
      const double goal = total * (r + 1) / ranks;
      // The boundary nearest to the goal, never before this share's start.
      while (next < documents && std::abs(static_cast<double>(offsets[static_cast<size_t>(next + 1)]) - goal) <=
                                     std::abs(static_cast<double>(offsets[static_cast<size_t>(next)]) - goal))
        ++next;
    }
    shares[static_cast<size_t>(r)].end = next;
  }
  return shares;
}

template <class T>
void recordAcrossRanks(const Network<T>& net, const Architecture& arch, int headOutputs, const Inputs<T>& in,
                       RecordRequest request, const TraceHeader& header, const std::string& path,
                       const ProgressCallbacks& progress) {
  const std::vector<int64_t>& offsets = header.documentOffsets;
  if (offsets.size() < 2) throw std::invalid_argument("recordAcrossRanks: a corpus of documents is needed");
  const DocumentShare mine = shareDocuments(offsets, ranks::size())[static_cast<size_t>(ranks::rank())];
  const long firstStep = offsets[static_cast<size_t>(mine.first)];
  const long steps = offsets[static_cast<size_t>(mine.end)] - firstStep;

  // The root names the temporary file (and removes what a killed run left there); every rank opens it.
  std::optional<AtomicFile> target;
  std::string failure, tempPath;
  if (ranks::isRoot()) try {
      target.emplace(path);
      tempPath = target->tempPath();
    } catch (const InputError& e) {
      failure = e.what();
    }
  ranks::throwIfAnyFailed(failure);
  const std::vector<uint8_t> sent = ranks::broadcastFromRoot({tempPath.begin(), tempPath.end()});
  tempPath.assign(sent.begin(), sent.end());

  std::vector<std::pair<std::string, UnitSummaryBuilder>> summaries;
  ranks::Failure recording;
  {
    std::optional<h5::File> shared;
    try {  // collective: every rank fails alike (a missing folder), before anything is written
      shared.emplace(createSharedFile(tempPath));
    } catch (const InputError& e) {
      throw AtomicFile::writeFailed(path, tempPath, e);  // named by the trace, not its temporary file
    }
    TraceWriter writer(std::move(*shared), path, arch, headOutputs, header, request, TraceSlice{firstStep, mine.first});
    try {
      if (steps > 0) {
        request.documents.clear();
        for (int d = mine.first; d <= mine.end; ++d)
          request.documents.push_back(offsets[static_cast<size_t>(d)] - firstStep);
        record(net, documentsOf(in, firstStep, steps), request, writer, progress);
      }
    } catch (const std::exception& e) {  // this rank's reason, told to every rank below
      failure = e.what();
      if (failure.empty()) failure = "failed";
    }
    recording = ranks::firstFailure(failure);
    if (recording.rank >= 0) {
      // HDF5 cannot close the shared file once a rank's write failed (the ranks take different paths
      // through the collective close): give it up, and stop the ranks at exit rather than finalize.
      writer.abandonSlice();
      ranks::abandonAtExit();
    } else {
      summaries = writer.finishSlice();  // collective: every rank closes the shared file
    }
  }
  ranks::throwIfFailed(recording);  // the same error on every rank; the root's AtomicFile removes the file

  // The root merges the ranks' summaries one rank at a time (a rank's can be hundreds of MB), then writes the
  // header and renames the file. Every failure, on any rank, is caught so that all ranks reach the agreement.
  try {
    ranks::sendToRoot(serializeBuilders(summaries), [&](int rank, const std::vector<uint8_t>& bytes) {
      if (rank > 0) mergeBuilders(summaries, bytes, offsets);
    });
    if (ranks::isRoot()) {
      {
        h5::File file = h5::File::openReadWrite(tempPath);
        writeTraceHeader(file.id(), tempPath, arch, header, request);
        for (const auto& [summaryPath, builder] : summaries)
          writeUnitSummaries(file.id(), summaryPath, builder.finish());
        file.flush();
      }
      target->commit();
    }
  } catch (const InputError& e) {
    failure = target ? target->writeFailed(e).what() : e.what();
  } catch (const std::exception& e) {
    failure = path + ": " + e.what() + "; the file was not written";
  }
  ranks::throwIfAnyFailed(failure);
}

template void recordAcrossRanks<float>(const Network<float>&, const Architecture&, int, const Inputs<float>&,
                                       RecordRequest, const TraceHeader&, const std::string&, const ProgressCallbacks&);
template void recordAcrossRanks<double>(const Network<double>&, const Architecture&, int, const Inputs<double>&,
                                        RecordRequest, const TraceHeader&, const std::string&,
                                        const ProgressCallbacks&);

}  // namespace lstmscope
