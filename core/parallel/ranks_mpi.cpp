// The ranks of an MPI run (core/parallel/ranks.h), on MPI_COMM_WORLD.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/parallel/ranks.h"

namespace lstmscope {
namespace {

bool abandoned = false;  // ranks::abandonAtExit

}  // namespace

RanksSession::RanksSession(int& argc, char**& argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  // The engine's threads never call MPI: only the main thread does.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  // An MPI error is a bug or a broken cluster: return codes are checked, not MPI's default abort.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

RanksSession::~RanksSession() {
  if (abandoned) {
    std::fflush(nullptr);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

namespace ranks {
namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI ") + what + " failed: " + std::string(text, static_cast<size_t>(length)));
}

int intCount(size_t bytes) {
  if (bytes > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw std::runtime_error("MPI: more than 2 GB in one message");
  return static_cast<int>(bytes);
}

// Gathers variable-length byte strings: counts first, then the bytes.
std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& bytes, bool everyRank) {
  const int n = size(), me = rank();
  const int mine = intCount(bytes.size());
  std::vector<int> counts(static_cast<size_t>(n));
  if (everyRank)
    check(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "allgather");
  else
    check(MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "gather");
  std::vector<int> displacements(static_cast<size_t>(n), 0);
  size_t total = 0;
  for (int r = 0; r < n; ++r) displacements[static_cast<size_t>(r)] = intCount(total), total += counts[r];
  std::vector<uint8_t> all(everyRank || me == 0 ? total : 0);
  if (everyRank)
    check(MPI_Allgatherv(bytes.data(), mine, MPI_BYTE, all.data(), counts.data(), displacements.data(), MPI_BYTE,
                         MPI_COMM_WORLD),
          "allgatherv");
  else
    check(MPI_Gatherv(bytes.data(), mine, MPI_BYTE, all.data(), counts.data(), displacements.data(), MPI_BYTE, 0,
                      MPI_COMM_WORLD),
          "gatherv");
  std::vector<std::vector<uint8_t>> out;
  if (!everyRank && me != 0) return out;
  for (int r = 0; r < n; ++r)
    out.emplace_back(all.begin() + displacements[static_cast<size_t>(r)],
                     all.begin() + displacements[static_cast<size_t>(r)] + counts[static_cast<size_t>(r)]);
  return out;
}

}  // namespace

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int size() {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}
bool built() {
  return true;
}
std::vector<std::vector<uint8_t>> gatherToRoot(const std::vector<uint8_t>& bytes) {
  return gather(bytes, false);
}
std::vector<std::vector<uint8_t>> allGather(const std::vector<uint8_t>& bytes) {
  return gather(bytes, true);
}
std::vector<uint8_t> broadcastFromRoot(std::vector<uint8_t> bytes) {
  int64_t n = static_cast<int64_t>(bytes.size());
  check(MPI_Bcast(&n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD), "broadcast");
  bytes.resize(static_cast<size_t>(n));
  check(MPI_Bcast(bytes.data(), intCount(bytes.size()), MPI_BYTE, 0, MPI_COMM_WORLD), "broadcast");
  return bytes;
}
std::vector<int64_t> allGather(int64_t value) {
  std::vector<int64_t> out(static_cast<size_t>(size()));
  check(MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, MPI_COMM_WORLD), "allgather");
  return out;
}
Failure firstFailure(const std::string& message) {
  const auto all = allGather(std::vector<uint8_t>(message.begin(), message.end()));
  for (size_t r = 0; r < all.size(); ++r)
    if (!all[r].empty()) return {static_cast<int>(r), std::string(all[r].begin(), all[r].end())};
  return {};
}
void barrier() {
  check(MPI_Barrier(MPI_COMM_WORLD), "barrier");
}
void abandonAtExit() {
  abandoned = true;
}

}  // namespace ranks
}  // namespace lstmscope
