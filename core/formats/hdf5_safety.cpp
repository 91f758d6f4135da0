#include "core/formats/hdf5_safety.h"

#include <H5PLpublic.h>

#include <algorithm>
#include <vector>

#include "core/common/error.h"
#include "core/formats/hdf5.h"

namespace lstmscope::h5 {
namespace {

// The IEEE 754 layouts libhdf5 converts exactly: bits of the sign, exponent and mantissa, and the bias.
struct FloatLayout {
  size_t bytes, signPosition, exponentPosition, exponentBits, mantissaPosition, mantissaBits, bias;
};
constexpr FloatLayout kIeeeFloats[] = {{2, 15, 10, 5, 0, 10, 15},      // half (Keras mixed precision)
                                       {4, 31, 23, 8, 0, 23, 127},     // single
                                       {8, 63, 52, 11, 0, 52, 1023}};  // double

bool isIeeeFloat(hid_t type) {
  size_t sign = 0, exponentPosition = 0, exponentBits = 0, mantissaPosition = 0, mantissaBits = 0;
  if (H5Tget_fields(type, &sign, &exponentPosition, &exponentBits, &mantissaPosition, &mantissaBits) < 0) return false;
  const size_t bytes = H5Tget_size(type);
  for (const FloatLayout& f : kIeeeFloats)
    if (bytes == f.bytes && sign == f.signPosition && exponentPosition == f.exponentPosition &&
        exponentBits == f.exponentBits && mantissaPosition == f.mantissaPosition && mantissaBits == f.mantissaBits &&
        H5Tget_ebias(type) == f.bias && H5Tget_precision(type) == 8 * f.bytes && H5Tget_offset(type) == 0 &&
        H5Tget_norm(type) == H5T_NORM_IMPLIED && H5Tget_inpad(type) == H5T_PAD_ZERO)
      return true;
  return false;
}

// A chunk larger than its dataset in a dimension that cannot grow is no shape a writer makes; libhdf5 1.10
// reads such a damaged single-chunk dataset past the end of its buffer (found by fuzz_trace).
void checkChunkShape(hid_t dataset, hid_t dcpl, const std::string& path, const std::string& file) {
  Handle space(H5Dget_space(dataset), H5Sclose);
  const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0 || rank > 32) throw InputError(file, "cannot read the shape of " + path + " (damaged file?)");
  std::vector<hsize_t> dims(static_cast<size_t>(rank)), maxDims(dims.size()), chunk(dims.size() + 1);
  H5Sget_simple_extent_dims(space.get(), dims.data(), maxDims.data());
  if (H5Pget_chunk(dcpl, rank + 1, chunk.data()) != rank)
    throw InputError(file, path + " has chunks of another rank than its shape (damaged file?)");
  for (int k = 0; k < rank; ++k)
    if (chunk[k] == 0 || (chunk[k] > std::max<hsize_t>(dims[k], 1) && maxDims[k] == dims[k]))
      throw InputError(file, path +
                                 " has chunks larger than the dataset in a dimension that cannot grow "
                                 "(damaged file?)");
}

}  // namespace

void checkDatasetStorage(hid_t dataset, const std::string& path, const std::string& file) {
  Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
  if (!dcpl.valid()) throw InputError(file, "cannot read how " + path + " is stored (damaged file?)");
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_VIRTUAL)
    throw InputError(file, path + " is a virtual dataset (its values would come from other files): refused");
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT)
    throw InputError(file, path + " has a storage layout LSTMScope does not read (damaged file?)");
  if (H5Pget_external_count(dcpl.get()) != 0)
    throw InputError(file, path + " keeps its values in an external file: refused");
  if (layout == H5D_CHUNKED) checkChunkShape(dataset, dcpl.get(), path, file);
  if (layout == H5D_COMPACT) {
    // The values sit in the object header; libhdf5 1.10 copies as many bytes as the shape needs, past the
    // end of a damaged header's shorter data (found by fuzz_trace).
    Handle space(H5Dget_space(dataset), H5Sclose);
    Handle type(H5Dget_type(dataset), H5Tclose);
    const hssize_t values = space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
    const size_t width = type.valid() ? H5Tget_size(type.get()) : 0;
    const hsize_t stored = H5Dget_storage_size(dataset);
    if (values < 0 || width == 0 || static_cast<hsize_t>(values) > stored / width)
      throw InputError(file, path + " holds fewer bytes than its shape needs (damaged file?)");
  }
  const int filters = H5Pget_nfilters(dcpl.get());
  if (filters < 0) throw InputError(file, "cannot read the filters of " + path + " (damaged file?)");
  for (int k = 0; k < filters; ++k) {
    unsigned flags = 0, values[8] = {0};
    size_t count = 8;
    char name[64] = {0};
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl.get(), static_cast<unsigned>(k), &flags, &count, values, sizeof name, name, nullptr);
    if (id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32)
      throw InputError(file, path + " is stored with filter " + std::to_string(id) +
                                 " (only deflate, shuffle and Fletcher-32 are read)");
  }
}

void checkChunkSizes(hid_t dataset, hsize_t firstRow, hsize_t rows, const std::string& path, const std::string& file) {
  Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
  if (!dcpl.valid() || H5Pget_layout(dcpl.get()) != H5D_CHUNKED || H5Pget_nfilters(dcpl.get()) != 0 || rows == 0)
    return;
  Handle space(H5Dget_space(dataset), H5Sclose);
  Handle type(H5Dget_type(dataset), H5Tclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 32) return;
  std::vector<hsize_t> dims(static_cast<size_t>(rank)), chunk(dims.size());
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  if (H5Pget_chunk(dcpl.get(), rank, chunk.data()) != rank) return;  // checkDatasetStorage refused it already
  // A stored variable-length value is its length (4 bytes), a heap address and an object index (4): not
  // the size of the type in memory.
  hsize_t chunkBytes = H5Tget_size(type.get());
  if (H5Tis_variable_str(type.get()) > 0 || H5Tget_class(type.get()) == H5T_VLEN) {
    const hid_t fileId = H5Iget_file_id(dataset);
    Handle fcpl(H5Fget_create_plist(fileId), H5Pclose);
    size_t addressBytes = 8, lengthBytes = 8;
    H5Pget_sizes(fcpl.get(), &addressBytes, &lengthBytes);
    H5Fclose(fileId);
    chunkBytes = 4 + addressBytes + 4;
  }
  for (hsize_t c : chunk) chunkBytes *= c;
  // Every chunk of the rows read: an odometer over chunk coordinates, the first dimension limited.
  std::vector<hsize_t> first(dims.size(), 0), last(dims.size()), at(dims.size());
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == 0 || chunk[k] == 0) return;
    last[k] = (dims[k] - 1) / chunk[k];
  }
  first[0] = firstRow / chunk[0];
  last[0] = std::min(last[0], (firstRow + rows - 1) / chunk[0]);
  at = first;
  for (;;) {
    std::vector<hsize_t> offset(dims.size());
    for (size_t k = 0; k < dims.size(); ++k) offset[k] = at[k] * chunk[k];
    // The size the chunk index records (what the library reads), not H5Dget_chunk_storage_size's, which
    // for a dataset of a single chunk answers the nominal size.
    unsigned filterMask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t stored = 0;
    if (H5Dget_chunk_info_by_coord(dataset, offset.data(), &filterMask, &address, &stored) >= 0 &&
        address != HADDR_UNDEF && stored < chunkBytes)
      throw InputError(file, path + " has a chunk of " + std::to_string(stored) + " bytes where " +
                                 std::to_string(chunkBytes) + " are needed (damaged file?)");
    size_t k = dims.size();
    while (k > 0 && at[k - 1] == last[k - 1]) at[k - 1] = first[k - 1], --k;
    if (k == 0) return;
    ++at[k - 1];
  }
}

void checkNumberType(hid_t type, const std::string& path, const std::string& file) {
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      if (!isIeeeFloat(type))
        throw InputError(file, path +
                                   " has a float type that is not IEEE half, single or double precision "
                                   "(damaged file?)");
      return;
    case H5T_INTEGER:
      if (H5Tget_precision(type) != 8 * H5Tget_size(type) || H5Tget_offset(type) != 0)
        throw InputError(file, path + " has an integer type with padding bits (damaged file?)");
      return;
    default:
      throw InputError(file, path + " is not numeric");
  }
}

void disablePluginLoading() {
  H5PLset_loading_state(0);
}

}  // namespace lstmscope::h5
