#include "core/common/version.h"

#include <hdf5.h>

#include <Eigen/Core>

namespace lstmscope {

// LSTMSCOPE_VERSION is defined for this file alone (core/CMakeLists.txt), so a new version recompiles
// one file instead of everything that uses the core.
const char* const kVersion = LSTMSCOPE_VERSION;

std::string hdf5Version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

std::string eigenVersion() {
  return std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION);
}

}  // namespace lstmscope
