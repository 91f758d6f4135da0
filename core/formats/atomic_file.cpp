#include "core/formats/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "core/common/error.h"

namespace lstmscope {

AtomicFile::AtomicFile(std::string finalPath) : finalPath_(std::move(finalPath)) {
  static std::atomic<int> counter{0};
  // Same directory as the target so that the rename stays on one file system (and so is atomic).
  tempPath_ = finalPath_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(tempPath_, ec);
  }
}

void AtomicFile::commit() {
  std::error_code ec;
  std::filesystem::rename(tempPath_, finalPath_, ec);
  if (ec) throw InputError(finalPath_, "cannot rename the finished file into place: " + ec.message());
  committed_ = true;
}

}  // namespace lstmscope
