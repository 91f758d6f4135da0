#include "core/common/version.h"

namespace lstmscope {

// LSTMSCOPE_VERSION is defined for this file alone (core/CMakeLists.txt), so a new version recompiles
// one file instead of everything that uses the core.
const char* const kVersion = LSTMSCOPE_VERSION;

}  // namespace lstmscope
