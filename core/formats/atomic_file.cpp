#include "core/formats/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "core/common/error.h"
#include "core/formats/temp_files.h"

namespace lstmscope {

AtomicFile::AtomicFile(std::string finalPath) : finalPath_(std::move(finalPath)) {
  static std::atomic<int> counter{0};
  // Same directory as the target so that the rename stays on one file system (and so is atomic).
  tempPath_ = finalPath_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  removeStaleTempFiles(finalPath_);  // what a killed writer left here
  registerTempFile(tempPath_);       // removed if this process is interrupted
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(tempPath_, ec);
  }
  forgetTempFile(tempPath_);
}

InputError AtomicFile::writeFailed(const std::exception& cause) const {
  return writeFailed(finalPath_, tempPath_, cause);
}

InputError AtomicFile::writeFailed(const std::string& finalPath, const std::string& tempPath,
                                   const std::exception& cause) {
  std::string what = cause.what();
  // The message names the file once: the cause may name the temporary file or the final one.
  for (const std::string& named : {tempPath, finalPath})
    if (!named.empty() && what.starts_with(named + ": ")) what.erase(0, named.size() + 2);
  // libhdf5 does not pass errno on: a device with (nearly) nothing left is the reason.
  std::error_code ec;
  const std::filesystem::path folder = std::filesystem::absolute(finalPath, ec).parent_path();
  const std::filesystem::space_info space = std::filesystem::space(folder, ec);
  constexpr std::uintmax_t kNearlyFull = std::uintmax_t(1) << 20;
  if (!ec && space.available < kNearlyFull)
    return InputError(finalPath, "no space left on the device (" + what + "); the file was not written");
  return InputError(finalPath, what + "; the file was not written");
}

void AtomicFile::commit() {
  std::error_code ec;
  std::filesystem::rename(tempPath_, finalPath_, ec);
  if (ec) throw InputError(finalPath_, "cannot rename the finished file into place: " + ec.message());
  committed_ = true;
  forgetTempFile(tempPath_);
}

}  // namespace lstmscope
