// A file that every rank of an MPI run writes at once: MPI-IO through parallel HDF5 (docs/SCALING.md). In the
// ordinary build, an ordinary file.
#pragma once

#include <string>

#include "core/formats/hdf5.h"

namespace lstmscope {

// Creates (truncating) `path` on every rank together (collective). Raw data is then written by each rank
// independently, to its own rows; datasets are created, and the file closed, by all ranks together.
h5::File createSharedFile(const std::string& path);

}  // namespace lstmscope
