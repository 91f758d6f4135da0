// Write-to-temporary-then-rename, so that a crash or an error never leaves a half-written file under the
// final name and never destroys the previous version.
#pragma once

#include <exception>
#include <string>

#include "core/common/error.h"

namespace lstmscope {

class AtomicFile {
 public:
  explicit AtomicFile(std::string finalPath);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& tempPath() const { return tempPath_; }
  const std::string& finalPath() const { return finalPath_; }
  // Renames the temporary file to the final path. Call after the writer closed the file.
  void commit();
  // What to throw when writing the temporary file failed: names the final path (the temporary file is an
  // implementation detail) and says when the device is full.
  InputError writeFailed(const std::exception& cause) const;
  // The same for a file written under `tempPath` by another process (a rank of an MPI run).
  static InputError writeFailed(const std::string& finalPath, const std::string& tempPath, const std::exception& cause);

 private:
  std::string finalPath_;
  std::string tempPath_;
  bool committed_ = false;
};

}  // namespace lstmscope
