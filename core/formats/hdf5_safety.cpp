#include "core/formats/hdf5_safety.h"

#include <H5PLpublic.h>

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
