#include "core/formats/hdf5.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "core/common/error.h"
#include "core/common/huge_pages.h"
#include "core/common/input_file.h"
#include "core/formats/hdf5_heap_check.h"
#include "core/formats/hdf5_safety.h"
#include "core/formats/hdf5_storage_types.h"

namespace lstmscope::h5 {
namespace {

std::string objectName(hid_t obj) {
  char buf[512] = {0};
  if (H5Iget_name(obj, buf, sizeof buf) <= 0) return "?";
  return buf;
}

std::string fileOf(hid_t obj) {
  char buf[1024] = {0};
  if (H5Fget_name(obj, buf, sizeof buf) <= 0) return {};
  return buf;
}

[[noreturn]] void fail(hid_t obj, const std::string& what) {
  throw InputError(fileOf(obj), what);
}

Handle vlenUtf8Type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

// Reads `count` strings of string type `type` (fixed-length or variable) via reader(memType, buffer), of
// `obj` (named `what` in messages) in file `fileName`.
template <class Reader>
std::vector<std::string> readStringValues(hid_t type, size_t count, Reader reader, hid_t obj, const std::string& what,
                                          const std::string& fileName) {
  std::vector<std::string> out;
  if (H5Tget_class(type) != H5T_STRING) return out;
  if (H5Tis_variable_str(type) > 0) {
    checkStringReferences(obj, count, reader, what, fileName);
    Handle mem = vlenUtf8Type();
    H5Tset_cset(mem.get(), H5Tget_cset(type));
    std::vector<char*> ptrs(count, nullptr);
    if (reader(mem.get(), ptrs.data()) < 0) throw std::runtime_error("read");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    // Free the library-allocated strings through a dataspace describing the buffer.
    const hsize_t n = count;
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const size_t size = H5Tget_size(type);
    Handle mem(H5Tcopy(type), H5Tclose);
    std::vector<char> buf(size * count + 1, 0);
    if (reader(mem.get(), buf.data()) < 0) throw std::runtime_error("read");
    for (size_t i = 0; i < count; ++i) {
      const char* s = buf.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
  }
  return out;
}

size_t spaceCount(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

}  // namespace

bool isHdf5File(const std::string& path) {
  silenceLibraryErrors();
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && H5Fis_hdf5(path.c_str()) > 0;
}

bool hasAttr(hid_t obj, const std::string& name) {
  return H5Aexists(obj, name.c_str()) > 0;
}

size_t attrElementCount(hid_t obj, const std::string& name) {
  if (!hasAttr(obj, name)) return 0;
  Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle space(H5Aget_space(a.get()), H5Sclose);
  return spaceCount(space.get());
}

std::vector<std::string> childNames(hid_t group) {
  std::vector<std::string> names;
  H5Literate(
      group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->emplace_back(name);
        return 0;
      },
      &names);
  return names;
}

// Before main: the library must learn that it is not to clean up at exit before any other HDF5 call, in
// every program linking this file (test programs call HDF5 directly).
const bool librarySetUpBeforeMain = (silenceLibraryErrors(), true);

void silenceLibraryErrors() {
  static const bool done = [] {
    // No library clean-up at exit: after a failed write (a full disk) libhdf5 keeps the file it could not
    // close and crashed tearing it down in exit() (H5F__close_cb). The process ends; the OS frees it all.
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    disablePluginLoading();
    return true;
  }();
  (void)done;
}

// Explains why a path cannot be opened as HDF5 (missing, not HDF5, truncated); returns if it looks fine.
static void diagnoseOpen(const std::string& path) {
  silenceLibraryErrors();
  requireRegularFile(path);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    std::ifstream in(path, std::ios::binary);
    char sig[8] = {0};
    in.read(sig, 8);
    if (std::memcmp(sig, "\x89HDF\r\n\x1a\n", 8) == 0)
      throw InputError(path, "the HDF5 file is damaged or truncated (its superblock cannot be read)");
    throw InputError(path, "not an HDF5 file");
  }
}

File File::openReadOnly(const std::string& path) {
  silenceLibraryErrors();
  diagnoseOpen(path);
  checkGlobalHeapsOfFile(path);
  File f;
  f.handle_ = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.handle_.valid()) throw InputError(path, "cannot open the HDF5 file (truncated or damaged?)");
  f.path_ = path;
  return f;
}

File File::openImage(const std::vector<unsigned char>& bytes, const std::string& name) {
  silenceLibraryErrors();
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "\x89HDF\r\n\x1a\n", 8) != 0)
    throw InputError(name, "is not an HDF5 file");
  checkGlobalHeaps(bytes.data(), bytes.size(), name);
  // The core driver reads from a copy of the image; HDF5 1.10 supports this for read-only opens.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<unsigned char*>(bytes.data()), bytes.size()) < 0)
    throw InputError(name, "cannot be opened from memory");
  File f;
  f.handle_ = Handle(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  if (!f.handle_.valid()) throw InputError(name, "cannot open the HDF5 file (truncated or damaged?)");
  f.path_ = name;
  return f;
}

File File::openReadWrite(const std::string& path) {
  silenceLibraryErrors();
  diagnoseOpen(path);
  File f;
  f.handle_ = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  if (!f.handle_.valid()) throw InputError(path, "cannot open the HDF5 file for writing");
  f.path_ = path;
  return f;
}

File File::create(const std::string& path, hid_t fileAccess) {
  silenceLibraryErrors();
  File f;
  f.handle_ = Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fileAccess), H5Fclose);
  if (!f.handle_.valid()) throw InputError(path, "cannot create the file (directory missing or not writable?)");
  f.path_ = path;
  return f;
}

void File::flush() {
  if (H5Fflush(handle_.get(), H5F_SCOPE_GLOBAL) < 0) throw InputError(path_, "cannot write to the file");
}

std::string lstmscopeFormatOf(const std::string& path) {
  silenceLibraryErrors();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || H5Fis_hdf5(path.c_str()) <= 0) return {};
  try {
    File f = File::openReadOnly(path);
    return readStringAttr(f.id(), "lstmscope_format").value_or("");
  } catch (const InputError&) {
    return {};
  }
}

bool exists(hid_t loc, const std::string& path) {
  std::string prefix;
  size_t start = path[0] == '/' ? 1 : 0;
  if (start) prefix = "/";
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    prefix += path.substr(start, end - start);
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    // Before anything follows the link: only hard links are followed. An external link would read another
    // file (or block forever on a FIFO), and a soft link can lead to one (docs/SECURITY.md).
    H5L_info_t link{};
    if (H5Lget_info(loc, prefix.c_str(), &link, H5P_DEFAULT) < 0) return false;
    if (link.type != H5L_TYPE_HARD)
      fail(loc, prefix + (link.type == H5L_TYPE_EXTERNAL ? " is a link to another file: refused"
                                                         : " is a soft or user-defined link: refused"));
    if (H5Oexists_by_name(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    prefix += "/";
    start = end + 1;
  }
  return true;
}

Handle openGroup(hid_t loc, const std::string& path, const std::string& file) {
  if (!exists(loc, path)) throw InputError(file, "missing group " + path);
  Handle g(H5Gopen2(loc, path.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.valid()) throw InputError(file, path + " is not a group");
  return g;
}

Handle openDataset(hid_t loc, const std::string& path, const std::string& file) {
  if (!exists(loc, path)) throw InputError(file, "missing dataset " + path);
  Handle d(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.valid()) throw InputError(file, path + " is not a dataset");
  checkDatasetStorage(d.get(), path, file);
  return d;
}

Handle createGroup(hid_t loc, const std::string& path) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  H5Pset_obj_track_times(gcpl.get(), 0);
  Handle g(H5Gcreate2(loc, path.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT), H5Gclose);
  if (!g.valid()) fail(loc, "cannot create group " + path);
  return g;
}

std::optional<std::vector<std::string>> readStringListAttr(hid_t obj, const std::string& name) {
  if (!hasAttr(obj, name)) return std::nullopt;
  Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  Handle space(H5Aget_space(a.get()), H5Sclose);
  if (H5Tget_class(type.get()) != H5T_STRING)
    fail(obj, "attribute '" + name + "' of " + objectName(obj) + " is not a string");
  try {
    return readStringValues(
        type.get(), spaceCount(space.get()), [&](hid_t mem, void* buf) { return H5Aread(a.get(), mem, buf); }, obj,
        "attribute '" + name + "' of " + objectName(obj), fileOf(obj));
  } catch (const InputError&) {
    throw;  // what a check found, said precisely
  } catch (const std::runtime_error&) {
    fail(obj, "cannot read attribute '" + name + "' of " + objectName(obj));
  }
}

std::optional<std::string> readStringAttr(hid_t obj, const std::string& name) {
  auto list = readStringListAttr(obj, name);
  if (!list) return std::nullopt;
  if (list->size() != 1) fail(obj, "attribute '" + name + "' of " + objectName(obj) + " is not a single string");
  return (*list)[0];
}

std::optional<int64_t> readIntAttr(hid_t obj, const std::string& name) {
  if (!hasAttr(obj, name)) return std::nullopt;
  Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  Handle space(H5Aget_space(a.get()), H5Sclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER || spaceCount(space.get()) != 1)
    fail(obj, "attribute '" + name + "' of " + objectName(obj) + " is not an integer");
  checkNumberType(type.get(), "attribute '" + name + "' of " + objectName(obj), fileOf(obj));
  int64_t v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_INT64, &v) < 0) fail(obj, "cannot read attribute '" + name + "'");
  return v;
}

std::optional<double> readFloatAttr(hid_t obj, const std::string& name) {
  if (!hasAttr(obj, name)) return std::nullopt;
  Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  Handle space(H5Aget_space(a.get()), H5Sclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || spaceCount(space.get()) != 1)
    fail(obj, "attribute '" + name + "' of " + objectName(obj) + " is not a number");
  checkNumberType(type.get(), "attribute '" + name + "' of " + objectName(obj), fileOf(obj));
  double v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(obj, "cannot read attribute '" + name + "'");
  return v;
}

void writeStringListAttr(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  Handle type = vlenUtf8Type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  if (hasAttr(obj, name)) H5Adelete(obj, name.c_str());
  Handle a(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (!a.valid() || H5Awrite(a.get(), type.get(), ptrs.data()) < 0) fail(obj, "cannot write attribute " + name);
}

void writeStringAttr(hid_t obj, const std::string& name, const std::string& value) {
  Handle type = vlenUtf8Type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (hasAttr(obj, name)) H5Adelete(obj, name.c_str());
  Handle a(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* p = value.c_str();
  if (!a.valid() || H5Awrite(a.get(), type.get(), &p) < 0) fail(obj, "cannot write attribute " + name);
}

void writeIntAttr(hid_t obj, const std::string& name, int64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (hasAttr(obj, name)) H5Adelete(obj, name.c_str());
  Handle a(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!a.valid() || H5Awrite(a.get(), H5T_NATIVE_INT64, &value) < 0) fail(obj, "cannot write attribute " + name);
}

void writeFloatAttr(hid_t obj, const std::string& name, double value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (hasAttr(obj, name)) H5Adelete(obj, name.c_str());
  Handle a(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!a.valid() || H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail(obj, "cannot write attribute " + name);
}

std::vector<hsize_t> datasetDims(hid_t dataset) {
  Handle space(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

// How many values a dataset claims, refusing claims its stored bytes cannot back: a damaged dataspace
// would otherwise ask for exabytes. Compression can store data 1000x smaller only when it is nearly all
// zeros, hence the factor; unwritten datasets (all fill value) may claim up to kUnstoredBytes.
size_t checkedCount(hid_t dataset, const std::vector<hsize_t>& dims, size_t elementBytes, const std::string& path,
                    const std::string& file) {
  constexpr uint64_t kUnstoredBytes = uint64_t(64) << 20, kCompression = 1024;
  size_t n = 1;
  for (hsize_t x : dims) {
    if (x != 0 && n > std::numeric_limits<size_t>::max() / elementBytes / x)
      throw InputError(file, path + " claims an impossible number of values (damaged file?)");
    n *= x;
  }
  const uint64_t stored = H5Dget_storage_size(dataset);
  if (n * elementBytes > std::max(stored * kCompression, kUnstoredBytes))
    throw InputError(file, path + " claims " + std::to_string(n) + " values but the file holds only " +
                               std::to_string(stored) + " bytes of them (damaged file?)");
  return n;
}

// The rows [range->first, range->first + range->count) of a 1-D dataset (all of it without a range): the
// file selection to read and the number of values. A range outside the dataset is refused.
static std::pair<Handle, size_t> rowsOf(hid_t d, const std::vector<hsize_t>& dims, size_t n,
                                        const std::optional<RowRange>& range, const std::string& path,
                                        const std::string& file) {
  Handle space(H5Dget_space(d), H5Sclose);
  if (!range) {
    checkChunkSizes(d, 0, dims.empty() ? 0 : dims[0], path, file);
    return {Handle(H5Scopy(space.get()), H5Sclose), n};
  }
  if (dims.size() != 1 || range->first > dims[0] || range->count > dims[0] - range->first)
    throw InputError(file, "requested rows are outside " + path);
  checkChunkSizes(d, range->first, range->count, path, file);
  const hsize_t start = range->first, count = range->count;
  if (count) H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr);
  return {std::move(space), static_cast<size_t>(count)};
}

template <class T>
static NumericArray<T> readNumeric(hid_t loc, const std::string& path, const std::string& file, hid_t memType,
                                   Stored stored = Stored::AnyNumber, const std::optional<RowRange>& range = {}) {
  Handle d = openDataset(loc, path, file);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  checkNumberType(type.get(), path, file);
  if (stored == Stored::FloatingPoint && H5Tget_class(type.get()) != H5T_FLOAT)
    throw InputError(file, path + " holds " + std::to_string(8 * H5Tget_size(type.get())) +
                               "-bit integers, not floating-point numbers");
  NumericArray<T> out;
  out.dims = datasetDims(d.get());
  const auto [fileSpace, n] =
      rowsOf(d.get(), out.dims, checkedCount(d.get(), out.dims, sizeof(T), path, file), range, path, file);
  if (range) out.dims = {static_cast<hsize_t>(n)};
  out.values.reserve(n);  // advised before resize() first touches it: a big weight matrix faults in 2 MB pages
  adviseHugePages(out.values.data(), n * sizeof(T));
  out.values.resize(n);
  const hsize_t count = n;
  Handle mem(range ? H5Screate_simple(1, &count, nullptr) : H5Scopy(fileSpace.get()), H5Sclose);
  if (n && H5Dread(d.get(), memType, mem.get(), fileSpace.get(), H5P_DEFAULT, out.values.data()) < 0)
    throw InputError(file, "cannot read " + path + " (truncated or damaged file?)");
  return out;
}

FloatArray readFloats(hid_t loc, const std::string& path, const std::string& file, Stored stored,
                      const std::optional<RowRange>& range) {
  return readNumeric<float>(loc, path, file, H5T_NATIVE_FLOAT, stored, range);
}

DoubleArray readDoubles(hid_t loc, const std::string& path, const std::string& file) {
  return readNumeric<double>(loc, path, file, H5T_NATIVE_DOUBLE);
}

std::vector<int32_t> readInts(hid_t loc, const std::string& path, const std::string& file,
                              const std::optional<RowRange>& range) {
  Handle d = openDataset(loc, path, file);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER) throw InputError(file, path + " is not an integer dataset");
  checkNumberType(type.get(), path, file);
  const std::vector<hsize_t> dims = datasetDims(d.get());
  const auto [fileSpace, n] =
      rowsOf(d.get(), dims, checkedCount(d.get(), dims, sizeof(int32_t), path, file), range, path, file);
  std::vector<int32_t> out(n);
  const hsize_t count = n;
  Handle mem(H5Screate_simple(1, &count, nullptr), H5Sclose);
  if (n && H5Dread(d.get(), H5T_NATIVE_INT32, mem.get(), fileSpace.get(), H5P_DEFAULT, out.data()) < 0)
    throw InputError(file, "cannot read " + path + " (truncated or damaged file?)");
  return out;
}

std::vector<std::string> readStrings(hid_t loc, const std::string& path, const std::string& file,
                                     const std::optional<RowRange>& range) {
  Handle d = openDataset(loc, path, file);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) throw InputError(file, path + " is not a string dataset");
  const std::vector<hsize_t> dims = datasetDims(d.get());
  const size_t all = checkedCount(d.get(), dims, std::max<size_t>(H5Tget_size(type.get()), 1), path, file);
  const auto [fileSpace, n] = rowsOf(d.get(), dims, all, range, path, file);
  const hsize_t count = n;
  const hid_t space = fileSpace.get();
  Handle mem(H5Screate_simple(1, &count, nullptr), H5Sclose);
  try {
    return readStringValues(
        type.get(), n,
        [&](hid_t memType, void* buf) {
          // count and space, not the structured bindings: clang 14 (the fuzz preset) cannot capture those.
          return count ? H5Dread(d.get(), memType, mem.get(), space, H5P_DEFAULT, buf) : herr_t{0};
        },
        d.get(), path, file);
  } catch (const InputError&) {
    throw;  // what a check found, said precisely
  } catch (const std::runtime_error&) {
    throw InputError(file, "cannot read " + path + " (truncated or damaged file?)");
  }
}

static Handle chunkedCreateProps(const std::vector<hsize_t>& dims, hsize_t chunkRows) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  // No modification times in object headers: the same content gives the same bytes.
  H5Pset_obj_track_times(dcpl.get(), 0);
  if (chunkRows > 0 && !dims.empty() && dims[0] > 0) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::min<hsize_t>(chunkRows, dims[0]);
    for (size_t i = 1; i < chunk.size(); ++i) chunk[i] = std::max<hsize_t>(chunk[i], 1);
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
  }
  return dcpl;
}

static Handle createDataset(hid_t loc, const std::string& path, hid_t fileType, const std::vector<hsize_t>& dims,
                            hsize_t chunkRows, size_t chunkCacheBytes = 0) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle dcpl = chunkedCreateProps(dims, chunkRows);
  // Every dataset is written in full (at once, or block by block while a trace is recorded), so filling
  // chunks with zeros first would write everything twice. HDF5 refuses this for variable-length strings.
  if (H5Tis_variable_str(fileType) <= 0) H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER);
  Handle dapl(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
  // Writers that fill many chunks at once (a corpus's lanes) keep them cached until they are whole, so
  // that no chunk is written, read back and written again; w0 = 1 evicts whole chunks first.
  if (chunkCacheBytes > 0) H5Pset_chunk_cache(dapl.get(), 12421, chunkCacheBytes, 1.0);
  Handle d(H5Dcreate2(loc, path.c_str(), fileType, space.get(), lcpl.get(), dcpl.get(), dapl.get()), H5Dclose);
  if (!d.valid()) fail(loc, "cannot create dataset " + path);
  return d;
}

void writeFloats(hid_t loc, const std::string& path, const std::vector<hsize_t>& dims, const float* data,
                 hsize_t chunkRows) {
  Handle d = createDataset(loc, path, H5T_IEEE_F32LE, dims, chunkRows);
  if (H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(loc, "cannot write dataset " + path);
}

void writeInts(hid_t loc, const std::string& path, const std::vector<int32_t>& values, hsize_t chunkRows) {
  Handle d = createDataset(loc, path, H5T_STD_I32LE, {values.size()}, chunkRows);
  if (!values.empty() && H5Dwrite(d.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail(loc, "cannot write dataset " + path);
}

void writeArray(hid_t loc, const std::string& path, const std::vector<hsize_t>& dims, const void* data, hid_t memType,
                hid_t fileType) {
  Handle d = createDataset(loc, path, fileType, dims, 0);
  hsize_t n = 1;
  for (hsize_t dim : dims) n *= dim;
  if (n && H5Dwrite(d.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(loc, "cannot write dataset " + path);
}

void writeStrings(hid_t loc, const std::string& path, const std::vector<std::string>& values, hsize_t chunkRows) {
  Handle type = vlenUtf8Type();
  Handle d = createDataset(loc, path, type.get(), {values.size()}, chunkRows);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (!values.empty() && H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail(loc, "cannot write dataset " + path);
}

Handle createFloatMatrix(hid_t loc, const std::string& path, hsize_t rows, hsize_t cols, hsize_t chunkRows,
                         hid_t fileType, size_t chunkCacheBytes) {
  return createDataset(loc, path, fileType, {rows, cols}, chunkRows, chunkCacheBytes);
}

static Handle rowSelection(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, Handle& memSpace) {
  Handle fileSpace(H5Dget_space(dataset), H5Sclose);
  const hsize_t start[2] = {firstRow, 0};
  const hsize_t count[2] = {rowCount, cols};
  H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  memSpace = Handle(H5Screate_simple(2, count, nullptr), H5Sclose);
  return fileSpace;
}

void writeRows(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, const float* data, hsize_t memStride) {
  writeRowsAs(dataset, firstRow, rowCount, cols, data, H5T_NATIVE_FLOAT, memStride);
}

void writeRowsAs(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, const void* data, hid_t memType,
                 hsize_t memStride) {
  Handle mem;
  Handle fileSpace = rowSelection(dataset, firstRow, rowCount, cols, mem);
  if (memStride > cols) {
    const hsize_t dims[2] = {rowCount, memStride}, start[2] = {0, 0}, count[2] = {rowCount, cols};
    mem = Handle(H5Screate_simple(2, dims, nullptr), H5Sclose);
    H5Sselect_hyperslab(mem.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  }
  if (H5Dwrite(dataset, memType, mem.get(), fileSpace.get(), H5P_DEFAULT, data) < 0)
    fail(dataset, "cannot write rows of " + objectName(dataset));
}

// Rows [firstRow, +rowCount) and columns [firstCol, +colCount) of a 2-D dataset of numbers, after the checks
// every read makes (inside the dataset, a number type, sane chunks), selected in `fileSpace` and `mem`.
// Returns the stored type.
static Handle checkedBlock(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t firstCol, hsize_t colCount,
                           const std::string& file, Handle& fileSpace, Handle& mem) {
  const auto dims = datasetDims(dataset);
  if (dims.size() != 2 || firstRow + rowCount > dims[0] || firstCol + colCount > dims[1])
    throw InputError(file, "requested rows are outside " + objectName(dataset));
  Handle type(H5Dget_type(dataset), H5Tclose);
  checkNumberType(type.get(), objectName(dataset), file);
  checkChunkSizes(dataset, firstRow, rowCount, objectName(dataset), file);
  fileSpace = Handle(H5Dget_space(dataset), H5Sclose);
  const hsize_t start[2] = {firstRow, firstCol}, count[2] = {rowCount, colCount};
  H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  mem = Handle(H5Screate_simple(2, count, nullptr), H5Sclose);
  return type;
}

void readRowsAs(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, void* data, hid_t memType,
                const std::string& file) {
  const auto dims = datasetDims(dataset);
  if (dims.size() != 2 || dims[1] != cols) throw InputError(file, "requested rows are outside " + objectName(dataset));
  Handle fileSpace, mem;
  checkedBlock(dataset, firstRow, rowCount, 0, cols, file, fileSpace, mem);
  if (rowCount && H5Dread(dataset, memType, mem.get(), fileSpace.get(), H5P_DEFAULT, data) < 0)
    throw InputError(file, "cannot read " + objectName(dataset) + " (truncated or damaged file?)");
}

void readRows(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, float* data, const std::string& file) {
  const auto dims = datasetDims(dataset);
  if (dims.size() != 2 || dims[1] != cols) throw InputError(file, "requested rows are outside " + objectName(dataset));
  readBlock(dataset, firstRow, rowCount, 0, cols, data, file);
}

void readBlock(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t firstCol, hsize_t colCount, float* data,
               const std::string& file) {
  Handle fileSpace, mem;
  const Handle type = checkedBlock(dataset, firstRow, rowCount, firstCol, colCount, file, fileSpace, mem);
  // Recorded values are floating point: integers would be a damaged or crafted file, converted silently.
  if (H5Tget_class(type.get()) != H5T_FLOAT)
    throw InputError(file, objectName(dataset) + " holds " + std::to_string(8 * H5Tget_size(type.get())) +
                               "-bit integers, not floating-point numbers");
  // Half precision is read as stored and widened here: libhdf5's own conversion of half is a slow
  // element-by-element path (a float16 trace read 20x slower than a float32 one).
  if (H5Tget_size(type.get()) == 2 && H5Tget_order(type.get()) == H5T_ORDER_LE) {
    std::vector<uint16_t> half(rowCount * colCount);
    if (rowCount > 0 && colCount > 0 &&
        H5Dread(dataset, type.get(), mem.get(), fileSpace.get(), H5P_DEFAULT, half.data()) < 0)
      throw InputError(file, "cannot read " + objectName(dataset) + " (truncated or damaged file?)");
    halfToFloats(half.data(), half.size(), data);
    return;
  }
  if (rowCount > 0 && colCount > 0 &&
      H5Dread(dataset, H5T_NATIVE_FLOAT, mem.get(), fileSpace.get(), H5P_DEFAULT, data) < 0)
    throw InputError(file, "cannot read " + objectName(dataset) + " (truncated or damaged file?)");
}

}  // namespace lstmscope::h5
