// Temporary output files that must not outlive their process: SIGINT and SIGTERM remove them before the
// process ends (a `record` stopped by `timeout` used to leave a 12.8 GB `*.tmp-PID-0`), and a temporary
// file that a killed process left beside an output is removed when the next one is written there.
#pragma once

#include <string>

namespace lstmscope {

// Remembers `path` until forgetTempFile(path); at most kMaxTempFiles at once (more are not registered and
// are only removed by their owner). Thread-safe and safe against the signal handler.
void registerTempFile(const std::string& path);
void forgetTempFile(const std::string& path);
constexpr int kMaxTempFiles = 32;

// Installs handlers for SIGINT, SIGTERM and SIGHUP (unless the process was started ignoring them) that
// remove every registered temporary file, then end the process as the signal would have. Programs that
// write files call it once at start.
void removeTempFilesOnSignals();

// Removes `finalPath`.tmp-PID-N files beside `finalPath` that a dead process left: PID is a process id
// that no longer exists here, and the file is this user's own regular file, unchanged for an hour (a
// writer on another machine sharing the folder may have the same number).
void removeStaleTempFiles(const std::string& finalPath);

}  // namespace lstmscope
