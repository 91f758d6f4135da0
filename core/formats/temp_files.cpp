#include "core/formats/temp_files.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace lstmscope {
namespace {

// Fixed slots of NUL-terminated paths, readable from a signal handler: a slot's `used` flag is set after
// its path is written and cleared before it is reused.
struct Slot {
  std::atomic<bool> used{false};
  std::atomic<bool> claimed{false};
  char path[4096] = {0};
};
Slot slots[kMaxTempFiles];

void onSignal(int signal) {
  for (Slot& slot : slots)
    if (slot.used.load()) ::unlink(slot.path);  // async-signal-safe
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

bool isDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

void registerTempFile(const std::string& path) {
  if (path.size() >= sizeof Slot::path) return;
  for (Slot& slot : slots) {
    bool free = false;
    if (!slot.claimed.compare_exchange_strong(free, true)) continue;
    std::memcpy(slot.path, path.c_str(), path.size() + 1);
    slot.used.store(true);
    return;
  }
}

void forgetTempFile(const std::string& path) {
  for (Slot& slot : slots)
    if (slot.used.load() && path == slot.path) {
      slot.used.store(false);
      slot.claimed.store(false);
      return;
    }
}

void removeTempFilesOnSignals() {
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
}

void removeStaleTempFiles(const std::string& finalPath) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(finalPath);
  const std::string prefix = target.filename().string() + ".tmp-";
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    // NAME.tmp-PID-N, written by a process that no longer exists.
    const std::string_view rest = std::string_view(name).substr(prefix.size());
    const size_t dash = rest.find('-');
    if (dash == std::string_view::npos || !isDigits(rest.substr(0, dash)) || !isDigits(rest.substr(dash + 1))) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(std::string(rest.substr(0, dash))));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code removeError;
    fs::remove(it->path(), removeError);
  }
}

}  // namespace lstmscope
