#include "core/engine/external_gemm.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace lstmscope::blas {
namespace {

// CBLAS's enumerations (cblas.h), which the library takes as plain ints.
constexpr int kColMajor = 102, kNoTrans = 111, kLower = 122;

using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using Dgemm = void (*)(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*,
                       int);
using Dsyrk = void (*)(int, int, int, int, int, double, const double*, int, double, double*, int);
using SetThreads = void (*)(int);
using Describe = char* (*)();

struct Library {
  Sgemm sgemm = nullptr;
  Dgemm dgemm = nullptr;
  Dsyrk dsyrk = nullptr;
  std::string description = "Eigen";
};

// Debian's OpenBLAS does not recognise every CPU by its model name and then falls back to a generic kernel
// at a fifth of the speed; it reads OPENBLAS_CORETYPE when it is loaded. The kernel this CPU supports, or
// nothing when the caller named one or the CPU has neither instruction set.
const char* coreTypeToName() {
  if (std::getenv("OPENBLAS_CORETYPE")) return nullptr;
  if (__builtin_cpu_supports("avx512f")) return "SkylakeX";
  if (__builtin_cpu_supports("avx2")) return "Haswell";
  return nullptr;
}

Library load() {
  Library lib;
  if (const char* choice = std::getenv("LSTMSCOPE_GEMM"); choice && std::string(choice) == "eigen") {
    lib.description = "Eigen (LSTMSCOPE_GEMM=eigen)";
    return lib;
  }
  // Named only while the library loads, so that programs this process starts (PyTorch in the benchmarks
  // and oracle tests) see the environment they were given.
  const char* coreType = coreTypeToName();
  if (coreType) setenv("OPENBLAS_CORETYPE", coreType, 1);
  void* handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (coreType) unsetenv("OPENBLAS_CORETYPE");
  if (!handle) {
    lib.description = "Eigen (libopenblas.so.0 not found)";
    return lib;
  }
  const auto sgemm = reinterpret_cast<Sgemm>(dlsym(handle, "cblas_sgemm"));
  const auto dgemm = reinterpret_cast<Dgemm>(dlsym(handle, "cblas_dgemm"));
  const auto dsyrk = reinterpret_cast<Dsyrk>(dlsym(handle, "cblas_dsyrk"));
  const auto setThreads = reinterpret_cast<SetThreads>(dlsym(handle, "openblas_set_num_threads"));
  if (!sgemm || !dgemm || !dsyrk || !setThreads) {
    lib.description =
        "Eigen (libopenblas.so.0 lacks cblas_sgemm, cblas_dgemm, cblas_dsyrk or openblas_set_num_threads)";
    return lib;
  }
  setThreads(1);
  lib.sgemm = sgemm, lib.dgemm = dgemm, lib.dsyrk = dsyrk;
  // "OpenBLAS, Haswell kernel (OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...)"
  lib.description = "OpenBLAS";
  if (const auto core = reinterpret_cast<Describe>(dlsym(handle, "openblas_get_corename")))
    lib.description += std::string(", ") + core() + " kernel";
  if (const auto config = reinterpret_cast<Describe>(dlsym(handle, "openblas_get_config")))
    lib.description += std::string(" (") + config() + ")";
  return lib;
}

const Library& library() {
  static const Library lib = load();  // thread-safe initialisation
  return lib;
}

int narrow(long v) {
  return static_cast<int>(v);
}

}  // namespace

bool available() {
  return library().sgemm != nullptr;
}

std::string kernelDescription() {
  return library().description;
}

void gemmAdd(long m, long n, long k, const float* a, long lda, const float* b, long ldb, float* c, long ldc) {
  library().sgemm(kColMajor, kNoTrans, kNoTrans, narrow(m), narrow(n), narrow(k), 1.0f, a, narrow(lda), b, narrow(ldb),
                  1.0f, c, narrow(ldc));
}

// OpenBLAS's DGEMM kernels for Haswell and Zen compute the last n % 8 columns with narrower kernels whose
// sums round differently, so two equal columns of b could give columns of c that differ in the last bit.
// The columns past the last multiple of 8 go through the full-width kernel on a zero-padded copy: equal
// columns then give equal results wherever they sit, which the interventions' bit-for-bit identities rest on
// (a run without interventions equals its group's control column; docs/INTERVENTIONS.md). Its SGEMM kernel
// is not column-consistent even at full width, so float32 products get no such promise.
void gemmAdd(long m, long n, long k, const double* a, long lda, const double* b, long ldb, double* c, long ldc) {
  constexpr long kColumnBlock = 8;
  const auto dgemm = [&](long columns, const double* bb, long ldbb, double* cc, long ldcc) {
    library().dgemm(kColMajor, kNoTrans, kNoTrans, narrow(m), narrow(columns), narrow(k), 1.0, a, narrow(lda), bb,
                    narrow(ldbb), 1.0, cc, narrow(ldcc));
  };
  const long full = n - n % kColumnBlock;
  if (full > 0) dgemm(full, b, ldb, c, ldc);
  if (full == n || m == 0) return;
  thread_local std::vector<double> bPadded, cPadded;
  const long kk = std::max(k, 1L);
  bPadded.assign(static_cast<size_t>(kk * kColumnBlock), 0.0);
  cPadded.assign(static_cast<size_t>(m * kColumnBlock), 0.0);
  for (long j = full; j < n; ++j) {
    std::copy_n(b + j * ldb, k, bPadded.data() + (j - full) * kk);
    std::copy_n(c + j * ldc, m, cPadded.data() + (j - full) * m);
  }
  dgemm(kColumnBlock, bPadded.data(), kk, cPadded.data(), m);
  for (long j = full; j < n; ++j) std::copy_n(cPadded.data() + (j - full) * m, m, c + j * ldc);
}

void lowerRankUpdate(long n, long k, const double* a, long lda, double* c, long ldc) {
  library().dsyrk(kColMajor, kLower, kNoTrans, narrow(n), narrow(k), 1.0, a, narrow(lda), 1.0, c, narrow(ldc));
}

}  // namespace lstmscope::blas
