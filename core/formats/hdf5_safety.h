// What an HDF5 file may make a read do: only the dataset's own bytes, in the storage layouts and
// compression filters LSTMScope expects, as the number types it expects (docs/SECURITY.md). A crafted
// file could otherwise make a read fetch another file's bytes (external storage, virtual datasets),
// load a filter plugin, or turn weights into zeros through a corrupted float type.
#pragma once

#include <hdf5.h>

#include <string>

namespace lstmscope::h5 {

// Refuses external storage, virtual datasets, unknown layouts, and filters other than deflate, shuffle
// and Fletcher-32, naming the dataset (`path` in `file`).
void checkDatasetStorage(hid_t dataset, const std::string& path, const std::string& file);

// Refuses an unfiltered chunk holding any of rows [firstRow, firstRow + rows) (of the first dimension) whose
// stored size is smaller than a chunk: libhdf5 1.10 copies a whole chunk out of the smaller buffer (found
// by fuzz_trace). Each read checks the chunks it reads, so opening a large trace costs nothing.
void checkChunkSizes(hid_t dataset, hsize_t firstRow, hsize_t rows, const std::string& path, const std::string& file);

// Refuses a stored number type other than IEEE half, single or double precision floats or whole-byte
// integers (a flipped bit in a float type's exponent bias makes libhdf5 convert every value silently).
void checkNumberType(hid_t type, const std::string& path, const std::string& file);

// Turns off libhdf5's loading of filter plugins from HDF5_PLUGIN_PATH: a file must never make the
// process load code. Called once with the library's error printing switched off.
void disablePluginLoading();

}  // namespace lstmscope::h5
