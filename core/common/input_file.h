// Every file LSTMScope reads is a regular file: a FIFO would block the first open forever, a device
// could be endless, a directory or socket cannot be read. Checked before anything opens the path, with
// what the path is instead (docs/SECURITY.md).
#pragma once

#include <string>

namespace lstmscope {

// Throws InputError(path, …): "no such file", "is a directory, not a file", "is a FIFO (named pipe), not
// a file", "is a device, not a file", "is a socket, not a file", or the system's reason (too many levels
// of symbolic links, a name too long, permission denied).
void requireRegularFile(const std::string& path);

}  // namespace lstmscope
