// HDF5 1.10 loops forever on a global heap collection whose free-space entry has size 0 (its parser steps
// by the entry's size), and can walk past a collection whose object sizes overflow. Vlen strings (Keras'
// model_config, our vocabularies) live in such collections, so a damaged file could hang a reader. These
// checks walk every collection in a file the way the library will, before the library is given the file.
#pragma once

#include <cstddef>
#include <string>

namespace lstmscope::h5 {

// Throws InputError naming `name` and the collection's byte offset if a collection in `data` is damaged.
void checkGlobalHeaps(const unsigned char* data, size_t size, const std::string& name);

// The same for a file on disk, read block by block. A file that passed, and had not changed for a few
// seconds, is remembered by its identity (device, inode, size, modification and change times), so
// opening it again costs one fstat.
void checkGlobalHeapsOfFile(const std::string& path);

}  // namespace lstmscope::h5
