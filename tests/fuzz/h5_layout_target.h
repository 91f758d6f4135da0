// One input of fuzz_h5_layout (tests/fuzz/fuzz_h5_layout.cpp), also replayed by the test suite.
// Structure-aware fuzzing of the HDF5 dataset checks (core/formats/hdf5_safety.h). The input is not the
// bytes of a file but decisions: which dataset of a valid native model or trace to rebuild, and how — its
// storage layout (contiguous, chunked, compact, external, virtual), filters, number type (IEEE floats,
// any float or integer layout libhdf5 can describe, strings, compounds, enums, arrays) and shape. Byte
// mutation of a whole file rarely gets past the superblock; this reaches every branch of the checks.
// The reader must accept the file or throw InputError, and nothing it returns may hold the bytes of the
// foreign files that external and virtual storage point at: they are all 0x42 ('B'; the float 48.56).
#pragma once

#include <hdf5.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/engine/record.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "core/formats/trace_file.h"
#include "tests/support/test_models.h"

namespace lstmscope::fuzz {
namespace h5layout {

namespace fs = std::filesystem;

constexpr uint8_t kForeignByte = 0x42;
constexpr hsize_t kForeignValues = 4096;

// The input, read as a sequence of decisions; past its end every decision is 0.
struct Decisions {
  const uint8_t* data;
  size_t size, at = 0;
  unsigned next() { return at < size ? data[at++] : 0u; }
  unsigned below(unsigned n) { return next() % n; }
};

struct Templates {
  std::string dir, model, trace, foreignRaw, foreignH5;
  std::vector<std::string> modelDatasets, traceDatasets;
};

inline herr_t collectDataset(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(out)->push_back(std::string("/") + name);
  return 0;
}

inline std::vector<std::string> datasetsOf(const std::string& path) {
  std::vector<std::string> names;
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, collectDataset, &names, H5O_INFO_BASIC);
  H5Fclose(f);
  return names;
}

inline void writeForeignFiles(const Templates& t) {
  const std::vector<char> foreign(kForeignValues * 8, static_cast<char>(kForeignByte));
  std::ofstream(t.foreignRaw, std::ios::binary).write(foreign.data(), static_cast<std::streamsize>(foreign.size()));
  const hid_t f = H5Fcreate(t.foreignH5.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t n = kForeignValues;
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t d = H5Dcreate2(f, "/x", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, foreign.data());  // the raw 0x42 bytes
  H5Dclose(d), H5Sclose(space), H5Fclose(f);
}

// A small bidirectional model and a trace it recorded, written once per process.
inline const Templates& templates() {
  static const Templates t = [] {
    Templates t;
    t.dir = (fs::temp_directory_path() / ("lstmscope_fuzz_h5_layout_" + std::to_string(getpid()))).string();
    fs::create_directories(t.dir);
    t.model = t.dir + "/model.h5", t.trace = t.dir + "/trace.h5";
    t.foreignRaw = t.dir + "/foreign.bin", t.foreignH5 = t.dir + "/foreign.h5";
    const Model model = test::smallCharModel(2, true);
    saveNativeModel(model, t.model);
    const EncodedText text = encodeText(model.arch, "ab(c)\n a", "fuzz", 100);
    TraceHeader header;
    header.modelName = model.arch.name, header.steps = text.inputs.steps;
    header.tokens = text.inputs.tokens, header.tokenText = text.surface;
    RecordRequest request;
    request.quantities.push_back(Quantity::PreI);
    TraceWriter writer(t.trace, model.arch, model.headOutputs(), header, request);
    record(model, text.inputs, request, writer, {});
    writer.commit();
    writeForeignFiles(t);
    t.modelDatasets = datasetsOf(t.model), t.traceDatasets = datasetsOf(t.trace);
    return t;
  }();
  // The folder goes when the process ends (the replaying tests must leave nothing behind).
  static const struct RemovedAtExit {
    std::string dir;
    ~RemovedAtExit() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } removed{t.dir};
  return t;
}

// A number type the decisions describe: IEEE or damaged floats, integers of any layout, and the
// non-numeric classes a reader must refuse.
inline hid_t chooseType(Decisions& in, hid_t original) {
  switch (in.below(9)) {
    case 0:
      return H5Tcopy(original);
    case 1:
      return H5Tcopy(in.below(2) ? H5T_IEEE_F32BE : H5T_IEEE_F32LE);
    case 2:
      return H5Tcopy(in.below(2) ? H5T_IEEE_F64BE : H5T_IEEE_F64LE);
    case 3: {  // half precision, as Keras' mixed precision writes it
      const hid_t t = H5Tcopy(H5T_IEEE_F32LE);
      H5Tset_fields(t, 15, 10, 5, 0, 10), H5Tset_precision(t, 16), H5Tset_size(t, 2), H5Tset_ebias(t, 15);
      return t;
    }
    case 4: {  // a float layout with any fields, bias, padding and normalisation
      const hid_t t = H5Tcopy(in.below(2) ? H5T_IEEE_F64LE : H5T_IEEE_F32LE);
      const size_t bits = 8 * H5Tget_size(t);
      H5Tset_fields(t, in.below(bits), in.below(bits), 1 + in.below(16), in.below(bits), 1 + in.below(60));
      if (in.below(2)) H5Tset_ebias(t, in.next() | in.next() << 8 | in.next() << 16);
      if (in.below(4) == 0) H5Tset_norm(t, static_cast<H5T_norm_t>(in.below(3)));
      if (in.below(4) == 0) H5Tset_inpad(t, static_cast<H5T_pad_t>(in.below(3)));
      if (in.below(4) == 0) H5Tset_offset(t, in.below(8));
      return t;
    }
    case 5: {  // integers: size, sign, byte order, precision and offset
      const hid_t t = H5Tcopy(H5T_STD_I32LE);
      H5Tset_size(t, size_t(1) << in.below(4));
      H5Tset_sign(t, in.below(2) ? H5T_SGN_2 : H5T_SGN_NONE);
      H5Tset_order(t, in.below(2) ? H5T_ORDER_BE : H5T_ORDER_LE);
      if (in.below(3) == 0) H5Tset_precision(t, 1 + in.below(8 * static_cast<unsigned>(H5Tget_size(t))));
      if (in.below(3) == 0) H5Tset_offset(t, in.below(8));
      return t;
    }
    case 6: {  // strings, fixed or variable length
      const hid_t t = H5Tcopy(H5T_C_S1);
      if (in.below(2))
        H5Tset_size(t, H5T_VARIABLE);
      else
        H5Tset_size(t, 1 + in.below(8));
      H5Tset_cset(t, in.below(2) ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
      return t;
    }
    case 7: {  // a compound of two floats, or an enum
      if (in.below(2)) {
        const hid_t t = H5Tcreate(H5T_COMPOUND, 8);
        H5Tinsert(t, "re", 0, H5T_IEEE_F32LE), H5Tinsert(t, "im", 4, H5T_IEEE_F32LE);
        return t;
      }
      const hid_t t = H5Tenum_create(H5T_NATIVE_INT);
      const int a = 0, b = 1;
      H5Tenum_insert(t, "a", &a), H5Tenum_insert(t, "b", &b);
      return t;
    }
    default: {  // an array of floats, a bitfield or opaque bytes
      const unsigned which = in.below(3);
      if (which == 0) {
        const hsize_t n = 1 + in.below(3);
        return H5Tarray_create2(H5T_IEEE_F32LE, 1, &n);
      }
      if (which == 1) return H5Tcopy(H5T_STD_B32LE);
      const hid_t t = H5Tcreate(H5T_OPAQUE, 4);
      H5Tset_tag(t, "weights");
      return t;
    }
  }
}

inline bool isVariable(hid_t type) {
  return H5Tis_variable_str(type) > 0 || H5Tdetect_class(type, H5T_VLEN) > 0;
}

inline hsize_t elementsOf(const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

// Storage: contiguous, chunked (with filters), compact, external (the foreign raw file) or virtual (the
// foreign HDF5 file's /x).
// `writable`: false for the foreign layouts and for the nbit and scale-offset filters, whose encoders in
// libhdf5 1.10 are not safe on arbitrary types (this harness must not corrupt memory itself).
inline hid_t chooseStorage(Decisions& in, const std::vector<hsize_t>& dims, const Templates& t, bool& foreign,
                           bool& writable) {
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  const hsize_t n = elementsOf(dims);
  switch (in.below(6)) {
    case 0:
      break;  // contiguous
    case 1:
    case 2: {
      if (dims.empty()) break;
      std::vector<hsize_t> chunk(dims.size());
      for (size_t k = 0; k < dims.size(); ++k)
        chunk[k] = 1 + in.below(static_cast<unsigned>(std::max<hsize_t>(1, dims[k])));
      H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
      const unsigned filters = in.next();
      if (filters & 1) H5Pset_shuffle(dcpl);
      if (filters & 2) H5Pset_deflate(dcpl, in.below(10));
      if (filters & 4) H5Pset_fletcher32(dcpl);
      if (filters & 8) H5Pset_nbit(dcpl), writable = false;
      if (filters & 16) H5Pset_scaleoffset(dcpl, H5Z_SO_FLOAT_DSCALE, static_cast<int>(in.below(4))), writable = false;
      break;
    }
    case 3:
      H5Pset_layout(dcpl, H5D_COMPACT);
      break;
    case 4:
      H5Pset_external(dcpl, t.foreignRaw.c_str(), static_cast<off_t>(in.below(64)), kForeignValues * 4);
      foreign = true, writable = false;
      break;
    default: {
      if (n == 0 || n > kForeignValues) break;
      const hid_t dst = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
      const hsize_t start = 0, all = kForeignValues, count = n;
      const hid_t src = H5Screate_simple(1, &all, nullptr);
      H5Sselect_hyperslab(src, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
      H5Pset_virtual(dcpl, dst, t.foreignH5.c_str(), "/x", src);
      H5Sclose(src), H5Sclose(dst);
      foreign = true, writable = false;
    }
  }
  return dcpl;
}

// Replaces `path` in the file with a dataset built from the decisions, with the old values where they fit.
// Returns whether the new dataset's values come from a foreign file.
inline bool rebuildDataset(const std::string& file, const std::string& path, Decisions& in, const Templates& t) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t old = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
  const hid_t oldType = H5Dget_type(old), oldSpace = H5Dget_space(old);
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(0, H5Sget_simple_extent_ndims(oldSpace))));
  H5Sget_simple_extent_dims(oldSpace, dims.data(), nullptr);
  // The old bytes in their own type: no conversion, which libhdf5 cannot do safely between arbitrary types.
  // Nor are the bytes of a dataset an earlier decision made foreign carried over: they would become the
  // file's own.
  std::vector<unsigned char> bytes;
  const hid_t oldDcpl = H5Dget_create_plist(old);
  const bool oldForeign = H5Pget_layout(oldDcpl) == H5D_VIRTUAL || H5Pget_external_count(oldDcpl) > 0;
  H5Pclose(oldDcpl);
  if (!isVariable(oldType) && !oldForeign) {
    bytes.resize(std::max<hsize_t>(1, elementsOf(dims)) * H5Tget_size(oldType));
    if (H5Dread(old, oldType, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0) bytes.clear();
  }
  H5Dclose(old), H5Sclose(oldSpace);
  H5Ldelete(f, path.c_str(), H5P_DEFAULT);

  if (in.below(4) == 0) {  // another shape: rank 0 to 3, each extent 0 to 6
    dims.resize(in.below(4));
    for (hsize_t& d : dims) d = in.below(7);
  }
  bool foreign = false, writable = true;
  const hid_t type = chooseType(in, oldType);
  const hid_t dcpl = chooseStorage(in, dims, t, foreign, writable);
  const hid_t space =
      dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t d = H5Dcreate2(f, path.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d >= 0) {
    if (writable && !bytes.empty() && !isVariable(type)) {  // the old bytes, repeated to fill the new type
      std::vector<unsigned char> fill(std::max<hsize_t>(1, elementsOf(dims)) * H5Tget_size(type));
      for (size_t k = 0; k < fill.size(); ++k) fill[k] = bytes[k % bytes.size()];
      H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, fill.data());
    }
    H5Dclose(d);
  } else {
    foreign = false;  // libhdf5 refused the combination: the dataset is simply missing
  }
  H5Sclose(space), H5Pclose(dcpl), H5Tclose(type), H5Tclose(oldType);
  H5Fclose(f);
  return foreign;
}

// The foreign bytes read as a number type of 4 or 8 bytes, converted to float. (One- and two-byte
// patterns, 0x42 and 0x4242, also occur in the raw bytes of ordinary weights a rebuilt dataset reuses.)
inline bool isForeign(float v) {
  float f32;
  double f64;
  const uint32_t bits32 = 0x42424242u;
  const uint64_t bits64 = 0x4242424242424242ull;
  std::memcpy(&f32, &bits32, 4);
  std::memcpy(&f64, &bits64, 8);
  const float kForeign[] = {f32, static_cast<float>(f64), 1111638594.0f, 4774451407313060418.0f};
  for (float f : kForeign)
    if (v == f) return true;
  return false;
}

inline void requireNoForeignBytes(const float* v, long n) {
  for (long k = 0; k < n; ++k)
    if (isForeign(v[k])) throw std::logic_error("finding: a foreign file's bytes were read");
}

inline void requireNoForeignText(const std::vector<std::string>& texts) {
  for (const std::string& s : texts)
    if (s.find("BBBB") != std::string::npos) throw std::logic_error("finding: a foreign file's bytes were read");
}

inline void readModel(const std::string& path) {
  const Model m = importModel(path).model;
  m.params.forEachTensor([](const auto& tensor) { requireNoForeignBytes(tensor.data(), tensor.size()); });
  requireNoForeignText(m.arch.vocab.tokens());
}

inline void readTrace(const std::string& path) {
  const TraceReader trace(path);
  for (int l = 0; l < trace.layers(); ++l)
    for (int d = 0; d < trace.directions(l); ++d)
      for (Quantity q : {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H, Quantity::PreI})
        if (trace.has(l, d, q)) {
          const Mat<float> m = trace.read(l, d, q, 0, trace.steps());
          requireNoForeignBytes(m.data(), m.size());
        }
  for (int32_t token : trace.tokens())
    if (isForeign(static_cast<float>(token))) throw std::logic_error("finding: a foreign file's bytes were read");
  requireNoForeignText(trace.tokenText());
  if (trace.hasOutputs()) {
    const Mat<float> logits = trace.logits(), probs = trace.probs();
    requireNoForeignBytes(logits.data(), logits.size());
    requireNoForeignBytes(probs.data(), probs.size());
  }
}

}  // namespace h5layout

inline void h5LayoutTarget(const uint8_t* data, size_t size) {
  using namespace h5layout;
  const Templates& t = templates();
  Decisions in{data, size};
  const bool trace = in.below(2);
  const std::string work = t.dir + "/work.h5";
  fs::copy_file(trace ? t.trace : t.model, work, fs::copy_options::overwrite_existing);
  const std::vector<std::string>& datasets = trace ? t.traceDatasets : t.modelDatasets;
  // One dataset rebuilt, sometimes two.
  for (int k = 0, n = 1 + (in.below(4) == 0); k < n; ++k)
    rebuildDataset(work, datasets[in.below(static_cast<unsigned>(datasets.size()))], in, t);
  try {
    trace ? readTrace(work) : readModel(work);
  } catch (const InputError&) {
  }
}

}  // namespace lstmscope::fuzz
