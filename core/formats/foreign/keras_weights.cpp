#include "core/formats/foreign/keras_weights.h"

#include "core/common/error.h"

namespace lstmscope {

namespace {

// A row-major (rows, cols) array seen as our column-major (cols, rows) matrix: its transpose, for free.
Mat<float> transposed(const NamedTensor& t) {
  return Eigen::Map<const Mat<float>>(t.values.data(), t.dim(1), t.dim(0));
}

[[noreturn]] void badShape(const std::string& where, const NamedTensor& t, const std::string& expected) {
  throw InputError(where, "weight " + t.name + " has shape " + t.shapeText() + ", expected " + expected);
}

// Keras 1 (consume_less='cpu'): W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o.
DirectionParams<float> fromTwelve(const std::vector<const NamedTensor*>& a, const std::string& where) {
  const long D = a[0]->dim(0), H = a[0]->dim(1);
  DirectionParams<float> p{Mat<float>(4 * H, D), Mat<float>(4 * H, H), Vec<float>(4 * H), Vec<float>::Zero(4 * H), {}};
  const int storedBlock[4] = {0, 2, 1, 3};  // our i, f, g, o are Keras 1's 1st, 3rd, 2nd, 4th triple
  for (int g = 0; g < 4; ++g) {
    const NamedTensor &W = *a[3 * storedBlock[g]], &U = *a[3 * storedBlock[g] + 1], &b = *a[3 * storedBlock[g] + 2];
    if (W.shape != std::vector<int64_t>{D, H}) badShape(where, W, "(D, H) like " + a[0]->name);
    if (U.shape != std::vector<int64_t>{H, H}) badShape(where, U, "(H, H)");
    if (b.shape != std::vector<int64_t>{H}) badShape(where, b, "(H,)");
    p.W_ih.middleRows(g * H, H) = transposed(W);
    p.W_hh.middleRows(g * H, H) = transposed(U);
    p.b_ih.segment(g * H, H) = Eigen::Map<const Vec<float>>(b.values.data(), H);
  }
  return p;
}

// cuDNN keeps each gate's (D, H) kernel block as the row-major (H, D) matrix cuDNN multiplies with, so
// Keras' kernel is keras[d][u] = block_flat[u * D + d]; recurrent blocks are transposed; the bias is the
// input half plus the recurrent half.
DirectionParams<float> fromCudnn(const NamedTensor& k, const NamedTensor& r, const NamedTensor& b, long H) {
  const long D = k.dim(0);
  DirectionParams<float> p{Mat<float>(4 * H, D), Mat<float>(4 * H, H), Vec<float>(4 * H), Vec<float>(4 * H), {}};
  for (long g = 0; g < 4; ++g) {
    // The block's C-order flattening, as cuDNN reads it.
    Vec<float> kBlock(D * H), rBlock(H * H);
    for (long d = 0; d < D; ++d)
      for (long u = 0; u < H; ++u) kBlock[d * H + u] = k.values[static_cast<size_t>(d * 4 * H + g * H + u)];
    for (long v = 0; v < H; ++v)
      for (long u = 0; u < H; ++u) rBlock[v * H + u] = r.values[static_cast<size_t>(v * 4 * H + g * H + u)];
    for (long u = 0; u < H; ++u) {
      for (long d = 0; d < D; ++d) p.W_ih(g * H + u, d) = kBlock[u * D + d];  // W_ih = keras^T
      for (long v = 0; v < H; ++v) p.W_hh(g * H + u, v) = rBlock[u * H + v];  // transposed block, transposed
    }
  }
  p.b_ih = Eigen::Map<const Vec<float>>(b.values.data(), 4 * H);
  p.b_hh = Eigen::Map<const Vec<float>>(b.values.data() + 4 * H, 4 * H);
  return p;
}

}  // namespace

DirectionParams<float> kerasLstmDirection(const std::vector<const NamedTensor*>& a, const std::string& where) {
  if (a.size() == 12) return fromTwelve(a, where);
  if (a.size() != 2 && a.size() != 3)
    throw InputError(where, "has " + std::to_string(a.size()) + " weight arrays; an LSTM direction has 2, 3 or 12");
  const NamedTensor &k = *a[0], &r = *a[1];
  if (r.shape.size() != 2) badShape(where, r, "(H, 4H)");
  const long H = r.dim(0);
  if (r.dim(1) == 3 * H)
    throw InputError(where, "has a (H, 3H) recurrent kernel: a GRU, which LSTMScope does not support");
  if (H <= 0 || r.dim(1) != 4 * H) badShape(where, r, "(H, 4H)");
  if (k.shape.size() != 2 || k.dim(1) != 4 * H) badShape(where, k, "(D, " + std::to_string(4 * H) + ")");
  if (a.size() == 3 && a[2]->shape == std::vector<int64_t>{8 * H}) return fromCudnn(k, r, *a[2], H);
  DirectionParams<float> p{transposed(k), transposed(r), Vec<float>::Zero(4 * H), Vec<float>::Zero(4 * H), {}};
  if (a.size() == 3) {
    if (a[2]->shape != std::vector<int64_t>{4 * H}) badShape(where, *a[2], "(" + std::to_string(4 * H) + ",)");
    p.b_ih = Eigen::Map<const Vec<float>>(a[2]->values.data(), 4 * H);
  }
  return p;
}

DenseParams<float> kerasDense(const NamedTensor& kernel, const NamedTensor* bias, const std::string& where) {
  if (kernel.shape.size() != 2) badShape(where, kernel, "(in, out)");
  DenseParams<float> d{transposed(kernel), Vec<float>::Zero(kernel.dim(1))};
  if (bias) {
    if (bias->shape != std::vector<int64_t>{kernel.dim(1)}) badShape(where, *bias, "(out,)");
    d.bias = Eigen::Map<const Vec<float>>(bias->values.data(), kernel.dim(1));
  }
  return d;
}

}  // namespace lstmscope
