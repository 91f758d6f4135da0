#include "app/cli/text_output.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/common/error.h"
#include "core/formats/atomic_file.h"

namespace lstmscope::cli {

void writeTextFile(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  try {
    std::ofstream out(file.tempPath(), std::ios::binary);
    if (!out) throw InputError(path, std::string("cannot create it: ") + std::strerror(errno));
    out << text;
    if (!out.flush()) throw InputError(path, "cannot write");
  } catch (const InputError& e) {
    throw file.writeFailed(e);
  }
  file.commit();
}

}  // namespace lstmscope::cli
