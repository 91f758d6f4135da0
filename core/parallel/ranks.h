// The ranks of an MPI run (docs/SCALING.md). The MPI build (preset mpi) implements this with MPI
// (ranks_mpi.cpp); the ordinary build has one rank and needs no MPI (ranks_serial.cpp), so code that
// shares work among ranks compiles, and runs on one rank, in both.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lstmscope {

// Starts MPI for the program's lifetime (MPI_Init_thread, MPI_Finalize); a no-op in the ordinary build.
// Create one in main before anything else uses Ranks.
class RanksSession {
 public:
  RanksSession(int& argc, char**& argv);
  ~RanksSession();
  RanksSession(const RanksSession&) = delete;
  RanksSession& operator=(const RanksSession&) = delete;
};

// Every collective below must be called by all ranks in the same order (MPI's rule); a rank that skips one
// makes the others wait for ever. Not thread-safe: call from the main thread.
namespace ranks {

int rank();
int size();
inline bool isRoot() {
  return rank() == 0;
}
// True in the MPI build (whatever the number of ranks).
bool built();
// Every rank's bytes, in rank order, on the root; other ranks get an empty list.
std::vector<std::vector<uint8_t>> gatherToRoot(const std::vector<uint8_t>& bytes);
// Every rank's bytes handed to `receive` on the root, one rank at a time in rank order (the root's own
// first), so that the root never holds more than one rank's: for large reductions (unit summaries). If
// `receive` throws, the root still takes every rank's message (no rank is left waiting to send), then
// rethrows the first exception.
void sendToRoot(const std::vector<uint8_t>& bytes,
                const std::function<void(int rank, const std::vector<uint8_t>& bytes)>& receive);
// Every rank's bytes, in rank order, on every rank.
std::vector<std::vector<uint8_t>> allGather(const std::vector<uint8_t>& bytes);
// The root's bytes on every rank.
std::vector<uint8_t> broadcastFromRoot(std::vector<uint8_t> bytes);
// Every rank's value, in rank order, on every rank.
std::vector<int64_t> allGather(int64_t value);
// Every rank's message (empty: that rank succeeded) on every rank: the first failed rank and its message,
// or {-1, ""} when every rank succeeded. How the ranks agree that a step failed before going on.
struct Failure {
  int rank = -1;
  std::string message;
};
Failure firstFailure(const std::string& message);
// Every rank passes its failure (empty: none); if any rank failed, every rank throws the same InputError,
// "rank R of N: <message>", for the first failed rank (ranks_common.cpp).
void throwIfAnyFailed(const std::string& failure);
// That InputError for a failure the ranks agreed on (firstFailure); nothing when first.rank < 0.
void throwIfFailed(const Failure& first);
// Runs `step` on every rank, then the ranks agree on its outcome (ranks_common.cpp): if it threw on any rank,
// every rank throws, a rank that failed its own exception (so a usage error stays one), the others the
// throwIfFailed error. For what every rank does before the first collective (reading options, the model,
// the input): a rank that failed alone would otherwise leave the others waiting in that collective.
void agreeOn(const std::function<void()>& step);
void barrier();
// After a failure that leaves a shared HDF5 file open and unclosable (TraceWriter::abandonSlice): at exit,
// every rank waits for the others (so that the root has said why) and the run stops with MPI_Abort and
// status 3, instead of MPI_Finalize, whose HDF5 clean-up would close the file and wait for ever.
void abandonAtExit();

}  // namespace ranks
}  // namespace lstmscope
