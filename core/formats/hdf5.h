// Thin RAII layer over the HDF5 C API: handles, attributes, float and string datasets.
// Every failure throws InputError naming the file and the object. Debian's HDF5 is built thread-safe
// (H5_HAVE_THREADSAFE: one global lock), so background readers may run beside the GUI; a File object
// itself is still to be used from one thread at a time.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lstmscope::h5 {

// Owns one hid_t and closes it with the matching H5*close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_, close_ = o.close_, o.id_ = -1;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  // Gives the id up without closing it (a shared file that can no longer be closed: core/parallel/).
  void release() { id_ = -1; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

template <class T>
struct NumericArray {
  std::vector<hsize_t> dims;
  std::vector<T> values;  // row-major (C order), as stored
};
using FloatArray = NumericArray<float>;
using DoubleArray = NumericArray<double>;

class File {
 public:
  // Opens for reading; throws InputError if the file is missing, truncated or not HDF5.
  static File openReadOnly(const std::string& path);
  static File openReadWrite(const std::string& path);
  // Opens an HDF5 file held in memory (a .keras archive's model.weights.h5); `name` names it in messages.
  static File openImage(const std::vector<unsigned char>& bytes, const std::string& name);
  // Creates (truncating) a new file; `fileAccess` chooses the driver (MPI-IO: core/parallel/shared_file.h).
  static File create(const std::string& path, hid_t fileAccess = H5P_DEFAULT);

  hid_t id() const { return handle_.get(); }
  const std::string& path() const { return path_; }
  void flush();
  // Gives the file up without closing it (see Handle::release).
  void abandon() { handle_.release(); }

 private:
  Handle handle_;
  std::string path_;
};

// Sets libhdf5 up the way LSTMScope uses it: no error printing of its own (we report errors), no filter
// plugins, no clean-up at exit. Idempotent; it runs before main in every program linking this library.
void silenceLibraryErrors();

// The root attribute `lstmscope_format` ("model", "trace") of the file at `path`, or "" when the file is
// missing, not HDF5, damaged or has no such attribute. Never throws: for recognising files.
std::string lstmscopeFormatOf(const std::string& path);

// True for a regular file with the HDF5 signature. Never throws.
bool isHdf5File(const std::string& path);

bool exists(hid_t loc, const std::string& path);
bool hasAttr(hid_t obj, const std::string& name);
size_t attrElementCount(hid_t obj, const std::string& name);  // 0 when absent
std::vector<std::string> childNames(
    hid_t group);  // links of a group, in name order  // every component of a '/'-separated path
Handle openGroup(hid_t loc, const std::string& path, const std::string& file);
Handle openDataset(hid_t loc, const std::string& path, const std::string& file);
Handle createGroup(hid_t loc, const std::string& path);  // creates missing parents too

std::optional<std::string> readStringAttr(hid_t obj, const std::string& name);
std::optional<int64_t> readIntAttr(hid_t obj, const std::string& name);
std::optional<double> readFloatAttr(hid_t obj, const std::string& name);  // float or integer attribute
std::optional<std::vector<std::string>> readStringListAttr(hid_t obj, const std::string& name);
void writeStringAttr(hid_t obj, const std::string& name, const std::string& value);
void writeIntAttr(hid_t obj, const std::string& name, int64_t value);
void writeFloatAttr(hid_t obj, const std::string& name, double value);  // stored as float64
void writeStringListAttr(hid_t obj, const std::string& name, const std::vector<std::string>& values);

std::vector<hsize_t> datasetDims(hid_t dataset);
// How many values of `elementBytes` a dataset of `dims` claims; refuses a claim its stored bytes cannot
// back (a damaged dataspace would otherwise ask for exabytes).
size_t checkedCount(hid_t dataset, const std::vector<hsize_t>& dims, size_t elementBytes, const std::string& path,
                    const std::string& file);
// Any integer or float dataset, converted to float / double.
// What a numeric read accepts as stored values: any number, or only floating point (weights, where an
// integer dataset means a damaged or crafted file, not a model).
enum class Stored { AnyNumber, FloatingPoint };
// Rows [first, first + count) of a 1-D dataset.
struct RowRange {
  hsize_t first = 0, count = 0;
};
// With a range, only those rows of a 1-D dataset (refused when they are outside it); dims is then {count}.
FloatArray readFloats(hid_t loc, const std::string& path, const std::string& file, Stored stored = Stored::AnyNumber,
                      const std::optional<RowRange>& range = std::nullopt);
DoubleArray readDoubles(hid_t loc, const std::string& path, const std::string& file);
// A whole 1-D (or any) dataset, or the rows of `range` (refused when they are outside the dataset).
std::vector<int32_t> readInts(hid_t loc, const std::string& path, const std::string& file,
                              const std::optional<RowRange>& range = std::nullopt);
std::vector<std::string> readStrings(hid_t loc, const std::string& path, const std::string& file,
                                     const std::optional<RowRange>& range = std::nullopt);

// Contiguous (chunkRows == 0) or chunked along the first dimension.
void writeFloats(hid_t loc, const std::string& path, const std::vector<hsize_t>& dims, const float* data,
                 hsize_t chunkRows = 0);
void writeInts(hid_t loc, const std::string& path, const std::vector<int32_t>& values, hsize_t chunkRows = 0);
// Any shape, stored as `fileType` from values of `memType` (contiguous).
void writeArray(hid_t loc, const std::string& path, const std::vector<hsize_t>& dims, const void* data, hid_t memType,
                hid_t fileType);
void writeStrings(hid_t loc, const std::string& path, const std::vector<std::string>& values, hsize_t chunkRows = 0);

// A chunked 2-D float dataset written and read by windows of rows, stored as float32 or, with fileType
// h5::ieeeHalfType() (hdf5_storage_types.h), as IEEE half precision.
// `chunkCacheBytes` > 0: the dataset's chunk cache while it is open (default: libhdf5's 1 MB).
Handle createFloatMatrix(hid_t loc, const std::string& path, hsize_t rows, hsize_t cols, hsize_t chunkRows,
                         hid_t fileType = H5T_IEEE_F32LE, size_t chunkCacheBytes = 0);
// Writes rows [firstRow, firstRow + rowCount) of a 2-D dataset; row k's values start at data + k * memStride
// (0 = cols: contiguous). HDF5 gathers strided rows itself, so callers need not copy.
void writeRows(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, const float* data,
               hsize_t memStride = 0);
// The same for values of memory type `memType` (one that needs no conversion to the stored type).
void writeRowsAs(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, const void* data, hid_t memType,
                 hsize_t memStride = 0);
// Reads rows of a 2-D dataset as memory type `memType` (an integer type: no float checks), after the
// chunk checks every read makes.
void readRowsAs(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, void* data, hid_t memType,
                const std::string& file);
// Reads rows of a 2-D floating-point dataset (float16, 32 or 64) as float; integers are refused.
void readRows(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t cols, float* data, const std::string& file);
// Rows [firstRow, firstRow + rowCount) and columns [firstCol, firstCol + colCount) of one, the same way: row k's
// values at data + k * colCount.
void readBlock(hid_t dataset, hsize_t firstRow, hsize_t rowCount, hsize_t firstCol, hsize_t colCount, float* data,
               const std::string& file);

}  // namespace lstmscope::h5
