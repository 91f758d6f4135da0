#include "core/common/input_file.h"

#include <filesystem>
#include <system_error>

#include "core/common/error.h"

namespace lstmscope {

void requireRegularFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows symbolic links
  if (ec && ec != std::errc::no_such_file_or_directory) throw InputError(path, ec.message());
  switch (status.type()) {
    case fs::file_type::regular:
      return;
    case fs::file_type::not_found:
      throw InputError(path, "no such file");
    case fs::file_type::directory:
      throw InputError(path, "is a directory, not a file");
    case fs::file_type::fifo:
      throw InputError(path, "is a FIFO (named pipe), not a file");
    case fs::file_type::block:
    case fs::file_type::character:
      throw InputError(path, "is a device, not a file");
    case fs::file_type::socket:
      throw InputError(path, "is a socket, not a file");
    default:
      throw InputError(path, "is not a regular file");
  }
}

}  // namespace lstmscope
