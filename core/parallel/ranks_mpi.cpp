// The ranks of an MPI run (core/parallel/ranks.h), on MPI_COMM_WORLD.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
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

// Gathers variable-length byte strings: counts first (on every rank, so that every rank agrees whether the
// total fits one message, and all throw alike), then the bytes.
std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& bytes, bool everyRank) {
  const int n = size(), me = rank();
  const int64_t mine = static_cast<int64_t>(bytes.size());
  std::vector<int64_t> sizes(static_cast<size_t>(n));
  check(MPI_Allgather(&mine, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD), "allgather");
  std::vector<int> counts(static_cast<size_t>(n)), displacements(static_cast<size_t>(n), 0);
  size_t total = 0;
  for (int r = 0; r < n; ++r) {
    displacements[static_cast<size_t>(r)] = intCount(total);
    counts[static_cast<size_t>(r)] = intCount(static_cast<size_t>(sizes[static_cast<size_t>(r)]));
    total += static_cast<size_t>(sizes[static_cast<size_t>(r)]);
  }
  (void)intCount(total);
  std::vector<uint8_t> all(everyRank || me == 0 ? total : 0);
  if (everyRank)
    check(MPI_Allgatherv(bytes.data(), counts[static_cast<size_t>(me)], MPI_BYTE, all.data(), counts.data(),
                         displacements.data(), MPI_BYTE, MPI_COMM_WORLD),
          "allgatherv");
  else
    check(MPI_Gatherv(bytes.data(), counts[static_cast<size_t>(me)], MPI_BYTE, all.data(), counts.data(),
                      displacements.data(), MPI_BYTE, 0, MPI_COMM_WORLD),
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
void sendToRoot(const std::vector<uint8_t>& bytes,
                const std::function<void(int rank, const std::vector<uint8_t>& bytes)>& receive) {
  const int n = size(), me = rank();
  constexpr int64_t kTooLarge = -1;  // a length that tells the root no bytes follow
  if (me != 0) {
    const bool fits = bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max());
    const int64_t length = fits ? static_cast<int64_t>(bytes.size()) : kTooLarge;
    check(MPI_Send(&length, 1, MPI_INT64_T, 0, 0, MPI_COMM_WORLD), "send");
    if (!fits) throw std::runtime_error("MPI: more than 2 GB in one message");
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, 1, MPI_COMM_WORLD), "send");
    return;
  }
  std::exception_ptr first;
  const auto take = [&](int r, const std::vector<uint8_t>& message) {
    if (first) return;
    try {
      receive(r, message);
    } catch (...) {
      first = std::current_exception();
    }
  };
  take(0, bytes);
  std::vector<uint8_t> message;
  for (int r = 1; r < n; ++r) {
    int64_t length = 0;
    check(MPI_Recv(&length, 1, MPI_INT64_T, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
    if (length == kTooLarge) {
      if (!first) first = std::make_exception_ptr(std::runtime_error("MPI: more than 2 GB in one message"));
      continue;
    }
    message.resize(static_cast<size_t>(length));
    check(MPI_Recv(message.data(), intCount(message.size()), MPI_BYTE, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "receive");
    take(r, message);
  }
  if (first) std::rethrow_exception(first);
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
