// The project's version ("0.1.0"). It is written in one place only: project(... VERSION ...) in the top
// CMakeLists.txt.
#pragma once

#include <string>

namespace lstmscope {

extern const char* const kVersion;

// The versions of the libraries the core was built with, for About boxes and bug reports.
std::string hdf5Version();   // the HDF5 library linked at run time, "1.10.8"
std::string eigenVersion();  // "3.4.0"

}  // namespace lstmscope
