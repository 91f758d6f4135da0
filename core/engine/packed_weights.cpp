#include "core/engine/packed_weights.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <string>

// Compiled for AVX-512 whatever the build's flags (a portable build too); called only where the CPU has it.
#define LSTMSCOPE_AVX512 __attribute__((target("avx512f")))

namespace lstmscope::kernels {
namespace {

// Depth per block: a column panel's block (depth x 8 values) then stays in the first-level cache.
constexpr long kDepthBlock = 512;
// Rows per block: a block's row panels (256 x 512 floats, 512 KB) stay in the second-level cache while
// every column panel passes over them.
constexpr long kRowBlock = 256;
// Columns per panel: 2 x 8 accumulators. 8 and 12 are equally fast at 32 columns; 8 wastes less on the
// last panel of a batch of 30 or 33.
constexpr int kPanelColumns = 8;

template <class T>
constexpr int kLanes = 64 / static_cast<int>(sizeof(T));  // values per 512-bit register
template <class T>
constexpr long kPanelRows = 2 * kLanes<T>;  // rows per panel: two registers

LSTMSCOPE_AVX512 inline __m512 load(const float* p) {
  return _mm512_loadu_ps(p);
}
LSTMSCOPE_AVX512 inline __m512d load(const double* p) {
  return _mm512_loadu_pd(p);
}
LSTMSCOPE_AVX512 inline __m512 broadcast(float v) {
  return _mm512_set1_ps(v);
}
LSTMSCOPE_AVX512 inline __m512d broadcast(double v) {
  return _mm512_set1_pd(v);
}
LSTMSCOPE_AVX512 inline __m512 zero(float) {
  return _mm512_setzero_ps();
}
LSTMSCOPE_AVX512 inline __m512d zero(double) {
  return _mm512_setzero_pd();
}
LSTMSCOPE_AVX512 inline __m512 multiplyAdd(__m512 a, __m512 b, __m512 c) {
  return _mm512_fmadd_ps(a, b, c);
}
LSTMSCOPE_AVX512 inline __m512d multiplyAdd(__m512d a, __m512d b, __m512d c) {
  return _mm512_fmadd_pd(a, b, c);
}
// c[0, valid) += v (valid may be 0 or negative: nothing, or more than a register: all of it).
LSTMSCOPE_AVX512 inline void addInto(float* c, __m512 v, long valid) {
  if (valid >= 16) {
    _mm512_storeu_ps(c, _mm512_add_ps(_mm512_loadu_ps(c), v));
  } else if (valid > 0) {
    const auto mask = static_cast<__mmask16>((1u << valid) - 1);
    _mm512_mask_storeu_ps(c, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, c), v));
  }
}
LSTMSCOPE_AVX512 inline void addInto(double* c, __m512d v, long valid) {
  if (valid >= 8) {
    _mm512_storeu_pd(c, _mm512_add_pd(_mm512_loadu_pd(c), v));
  } else if (valid > 0) {
    const auto mask = static_cast<__mmask8>((1u << valid) - 1);
    _mm512_mask_storeu_pd(c, mask, _mm512_add_pd(_mm512_maskz_loadu_pd(mask, c), v));
  }
}

// c[rows, N columns] += a (one row panel over `depth`) * b (one column panel of N columns over `depth`);
// only the first `validRows` rows of c are written.
template <class T, int N>
LSTMSCOPE_AVX512 void panelProduct(long depth, const T* a, const T* b, T* c, long ldc, long validRows) {
  constexpr int L = kLanes<T>;
  using V = decltype(load(a));
  V top[N], bottom[N];
  for (int j = 0; j < N; ++j) top[j] = zero(T{}), bottom[j] = zero(T{});
  for (long k = 0; k < depth; ++k) {
    const V a0 = load(a + k * 2 * L), a1 = load(a + k * 2 * L + L);
#pragma GCC unroll 8
    for (int j = 0; j < N; ++j) {
      const V bj = broadcast(b[k * N + j]);
      top[j] = multiplyAdd(a0, bj, top[j]);
      bottom[j] = multiplyAdd(a1, bj, bottom[j]);
    }
  }
  for (int j = 0; j < N; ++j) {
    addInto(c + j * ldc, top[j], validRows);
    addInto(c + j * ldc + L, bottom[j], validRows - L);
  }
}

template <class T>
using PanelKernel = void (*)(long, const T*, const T*, T*, long, long);

// The kernel for a column panel of `columns` (1 to kPanelColumns) columns.
template <class T>
PanelKernel<T> kernelFor(long columns) {
  static const PanelKernel<T> kernels[] = {panelProduct<T, 1>, panelProduct<T, 2>, panelProduct<T, 3>,
                                           panelProduct<T, 4>, panelProduct<T, 5>, panelProduct<T, 6>,
                                           panelProduct<T, 7>, panelProduct<T, 8>};
  static_assert(std::size(kernels) == kPanelColumns);
  return kernels[columns - 1];
}

bool chosen() {
  const char* choice = std::getenv("LSTMSCOPE_GEMM");
  if (choice && (std::string(choice) == "openblas" || std::string(choice) == "eigen")) return false;
  return __builtin_cpu_supports("avx512f");
}

}  // namespace

bool packedWeightsAvailable() {
  static const bool available = chosen();
  return available;
}

template <class T>
void PackedColumns<T>::pack(const T* x, long ldx, long depth, long cols) {
  depth_ = depth, cols_ = cols;
  buffer_.resize(static_cast<size_t>(depth * cols));
  // Panel by panel, each depth-major: panel [j0, j0 + w) holds x(k, j0 + j) at j0 * depth + k * w + j.
  for (long j0 = 0; j0 < cols; j0 += kPanelColumns) {
    const long w = std::min<long>(kPanelColumns, cols - j0);
    T* panel = buffer_.data() + j0 * depth;
    for (long j = 0; j < w; ++j) {
      const T* column = x + (j0 + j) * ldx;
      for (long k = 0; k < depth; ++k) panel[k * w + j] = column[k];
    }
  }
}

template <class T>
PackedWeights<T>::PackedWeights(const T* w, long ldw, long rows, long depth) : rows_(rows), depth_(depth) {
  constexpr long R = kPanelRows<T>;
  const long panels = (rows + R - 1) / R;
  panels_.assign(static_cast<size_t>(panels * R * depth), T(0));
  // Panel p holds W(p * R + i, k) at p * R * depth + k * R + i.
  for (long p = 0; p < panels; ++p)
    for (long k = 0; k < depth; ++k)
      for (long i = 0; i < R && p * R + i < rows; ++i)
        panels_[static_cast<size_t>((p * depth + k) * R + i)] = w[p * R + i + k * ldw];
}

template <class T>
void PackedWeights<T>::multiplyAdd(const PackedColumns<T>& x, T* c, long ldc) const {
  constexpr long R = kPanelRows<T>;
  const long cols = x.cols();
  for (long k0 = 0; k0 < depth_; k0 += kDepthBlock) {
    const long kc = std::min(kDepthBlock, depth_ - k0);
    for (long r0 = 0; r0 < rows_; r0 += kRowBlock) {
      const long r1 = std::min(rows_, r0 + kRowBlock);
      for (long j0 = 0; j0 < cols; j0 += kPanelColumns) {
        const long w = std::min<long>(kPanelColumns, cols - j0);
        const PanelKernel<T> kernel = kernelFor<T>(w);
        const T* b = x.data() + j0 * depth_ + k0 * w;
        for (long i0 = r0; i0 < r1; i0 += R)
          kernel(kc, panels_.data() + i0 * depth_ + k0 * R, b, c + j0 * ldc + i0, ldc, r1 - i0);
      }
    }
  }
}

template class PackedColumns<float>;
template class PackedColumns<double>;
template class PackedWeights<float>;
template class PackedWeights<double>;

}  // namespace lstmscope::kernels
