#include "core/formats/hdf5_storage_types.h"

#ifdef __F16C__
#include <immintrin.h>
#endif

#include <Eigen/Core>

#include "core/common/error.h"
#include "core/formats/hdf5_safety.h"

namespace lstmscope::h5 {

Handle ieeeHalfType() {
  Handle t(H5Tcopy(H5T_IEEE_F32LE), H5Tclose);
  // Fields first (they must fit the precision), then the precision, then the size.
  if (H5Tset_fields(t.get(), 15, 10, 5, 0, 10) < 0 || H5Tset_precision(t.get(), 16) < 0 ||
      H5Tset_size(t.get(), 2) < 0 || H5Tset_ebias(t.get(), 15) < 0)
    throw std::runtime_error("libhdf5 cannot describe IEEE half precision");
  return t;
}

void floatsToHalf(const float* in, size_t count, uint16_t* out) {
  for (size_t k = 0; k < count; ++k) out[k] = Eigen::numext::bit_cast<uint16_t>(Eigen::half(in[k]));
}

void halfToFloats(const uint16_t* in, size_t count, float* out) {
  size_t k = 0;
#ifdef __F16C__
  // The CPU's own conversion, 8 values an instruction: a float16 trace's scan was bound by this loop.
  for (; k + 8 <= count; k += 8)
    _mm256_storeu_ps(out + k, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + k))));
#endif
  for (; k < count; ++k) out[k] = static_cast<float>(Eigen::numext::bit_cast<Eigen::half>(in[k]));
}

void writeInt64s(hid_t loc, const std::string& path, const std::vector<int64_t>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle d(H5Dcreate2(loc, path.c_str(), H5T_STD_I64LE, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (!d.valid() || (n && H5Dwrite(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0))
    throw InputError(path, "cannot write the dataset");
}

std::vector<int64_t> readInt64s(hid_t loc, const std::string& path, const std::string& file) {
  Handle d = openDataset(loc, path, file);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER) throw InputError(file, path + " is not an integer dataset");
  checkNumberType(type.get(), path, file);
  const std::vector<hsize_t> dims = datasetDims(d.get());
  if (dims.size() != 1) throw InputError(file, path + " must be 1-D");
  std::vector<int64_t> out(checkedCount(d.get(), dims, sizeof(int64_t), path, file));
  checkChunkSizes(d.get(), 0, dims[0], path, file);
  if (!out.empty() && H5Dread(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    throw InputError(file, "cannot read " + path + " (truncated or damaged file?)");
  return out;
}

}  // namespace lstmscope::h5
