// Stored types beyond float32 and int32: IEEE half precision (float16 traces, half the size) and 64-bit
// integer datasets (document offsets of a corpus trace, which can pass 2^31 steps).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/formats/hdf5.h"

namespace lstmscope::h5 {

// IEEE 754 binary16, little-endian: the layout hdf5_safety.h accepts as half precision. HDF5 1.10 has no
// predefined half type.
Handle ieeeHalfType();

// Converts `count` floats to binary16 bits (round to nearest even; beyond 65504 becomes infinity).
void floatsToHalf(const float* in, size_t count, uint16_t* out);
// binary16 bits to float (exact).
void halfToFloats(const uint16_t* in, size_t count, float* out);

void writeInt64s(hid_t loc, const std::string& path, const std::vector<int64_t>& values);
// Any integer dataset of at most 64 bits, after the number-type checks every read makes.
std::vector<int64_t> readInt64s(hid_t loc, const std::string& path, const std::string& file);

}  // namespace lstmscope::h5
