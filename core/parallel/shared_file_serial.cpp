// The ordinary build: one rank writes an ordinary file (core/parallel/shared_file.h).
#include "core/parallel/shared_file.h"

namespace lstmscope {

h5::File createSharedFile(const std::string& path) {
  return h5::File::create(path);
}

}  // namespace lstmscope
