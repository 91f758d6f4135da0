#include "core/formats/temp_files.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace lstmscope {
namespace {

// Fixed slots of NUL-terminated paths that the signal handler can read without allocating. A slot's
// sequence number is odd while its path is being written (a seqlock): the handler copies a path only
// between two equal, even readings, so it never unlinks a path torn between two names.
struct Slot {
  std::atomic<bool> claimed{false};
  std::atomic<bool> used{false};
  std::atomic<unsigned> sequence{0};
  char path[4096] = {0};
};
Slot slots[kMaxTempFiles];

void onSignal(int signal) {
  char copy[sizeof Slot::path];
  for (Slot& slot : slots) {
    if (!slot.used.load()) continue;
    const unsigned before = slot.sequence.load();
    if (before % 2) continue;
    std::memcpy(copy, slot.path, sizeof copy);
    if (slot.sequence.load() == before && slot.used.load()) ::unlink(copy);  // async-signal-safe
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);  // end as the signal would have (exit status 128 + signal)
}

// The largest process id Linux hands out (PID_MAX_LIMIT): a bigger number is not a process id.
constexpr long kMaxPid = 1L << 22;
// A temporary file unchanged for this long is not being written by a process on another machine or in
// another PID namespace that merely has the same number as a dead local one.
constexpr auto kStaleAfter = std::chrono::hours(1);

// The PID of `NAME.tmp-PID-N` (`rest` is "PID-N"), or -1.
long pidOf(std::string_view rest) {
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= rest.size()) return -1;
  long pid = -1, n = -1;
  const auto [pidEnd, pidError] = std::from_chars(rest.data(), rest.data() + dash, pid);
  const auto [nEnd, nError] = std::from_chars(rest.data() + dash + 1, rest.data() + rest.size(), n);
  if (pidError != std::errc() || pidEnd != rest.data() + dash || nError != std::errc() ||
      nEnd != rest.data() + rest.size() || pid <= 0 || pid > kMaxPid || n < 0)
    return -1;
  return pid;
}

}  // namespace

void registerTempFile(const std::string& path) {
  if (path.size() >= sizeof Slot::path) return;
  for (Slot& slot : slots) {
    bool free = false;
    if (!slot.claimed.compare_exchange_strong(free, true)) continue;
    slot.sequence.fetch_add(1);  // odd: being written
    std::memcpy(slot.path, path.c_str(), path.size() + 1);
    slot.sequence.fetch_add(1);
    slot.used.store(true);
    return;
  }
}

void forgetTempFile(const std::string& path) {
  for (Slot& slot : slots)
    if (slot.claimed.load() && slot.used.load() && path == slot.path) {
      slot.used.store(false);
      slot.claimed.store(false);
      return;
    }
}

void removeTempFilesOnSignals() {
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    // A signal the process was started to ignore (a background job's SIGINT, nohup's SIGHUP) stays ignored.
    if (sigaction(signal, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, nullptr);
  }
}

void removeStaleTempFiles(const std::string& finalPath) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(finalPath);
  const std::string prefix = target.filename().string() + ".tmp-";
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const auto now = std::chrono::system_clock::now();
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const long pid = pidOf(std::string_view(name).substr(prefix.size()));
    if (pid < 0 || pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    // Only this user's own regular files (not a link, not a folder), untouched for an hour.
    struct stat file {};
    if (::lstat(it->path().c_str(), &file) != 0 || !S_ISREG(file.st_mode) || file.st_uid != ::geteuid()) continue;
    if (now - std::chrono::system_clock::from_time_t(file.st_mtime) < kStaleAfter) continue;
    std::error_code removeError;
    fs::remove(it->path(), removeError);
  }
}

}  // namespace lstmscope
