// The MPI build: every rank opens the file through MPI-IO (core/parallel/shared_file.h).
#include <mpi.h>

#include "core/parallel/shared_file.h"

namespace lstmscope {

h5::File createSharedFile(const std::string& path) {
  h5::Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_mpio(access.get(), MPI_COMM_WORLD, MPI_INFO_NULL);
  // Metadata (the datasets' headers) is the same on every rank: read once and broadcast, written by one.
  H5Pset_all_coll_metadata_ops(access.get(), true);
  H5Pset_coll_metadata_write(access.get(), true);
  return h5::File::create(path, access.get());
}

}  // namespace lstmscope
