// HDF5 1.10 loops forever on a global heap collection whose free-space entry has size 0 (its parser steps
// by the entry's size), and can walk past a collection whose object sizes overflow. Vlen strings (Keras'
// model_config, our vocabularies) live in such collections, so a damaged file could hang a reader. These
// checks walk every collection in a file the way the library will, before the library is given the file.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <functional>
#include <string>

namespace lstmscope::h5 {

// Throws InputError naming `name` and the collection's byte offset if a collection in `data` is damaged.
void checkGlobalHeaps(const unsigned char* data, size_t size, const std::string& name);

// The same for a file on disk, read block by block, for files up to 256 MB (LSTMSCOPE_HEAP_SCAN_LIMIT_MB):
// a larger file (a corpus trace) is not read through at open; checkStringReferences walks each collection
// a read refers to instead. A file that passed, and had not changed for a few seconds, is remembered by its
// identity (device, inode, size, modification and change times), so opening it again costs one fstat.
void checkGlobalHeapsOfFile(const std::string& path);

// Before variable-length strings are read: walks each global heap collection the strings refer to as
// checkGlobalHeaps does (damage named the same way), and refuses a stored reference that names no object of a global
// heap collection (libhdf5 1.10 reads it out of bounds and crashes; found by fuzz_trace). `readStored`
// reads the `count` values into a buffer with the memory type it is given, which keeps each value as
// stored (length, heap address, object index). `file` is any object of the file; `what` names the values
// in the message. Files whose addresses are not 8 bytes wide are not checked.
void checkStringReferences(hid_t file, size_t count,
                           const std::function<herr_t(hid_t memType, void* buffer)>& readStored,
                           const std::string& what, const std::string& fileName);

}  // namespace lstmscope::h5
