#include "core/training/init.h"

#include <cmath>
#include <random>

namespace lstmscope {

Model initialiseModel(const Architecture& arch, const InitShape& shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](Mat<float>& m, long rows, long cols, double bound) {
    std::uniform_real_distribution<float> u(static_cast<float>(-bound), static_cast<float>(bound));
    m.resize(rows, cols);
    for (long k = 0; k < m.size(); ++k) m.data()[k] = u(rng);
  };
  auto uniformVec = [&](Vec<float>& v, long n, double bound) {
    std::uniform_real_distribution<float> u(static_cast<float>(-bound), static_cast<float>(bound));
    v.resize(n);
    for (long k = 0; k < n; ++k) v[k] = u(rng);
  };
  Model m;
  m.arch = arch;
  int width = arch.inputWidth();
  if (arch.inputKind == InputKind::Tokens && shape.embedding > 0) {
    m.arch.hasEmbedding = true;
    std::normal_distribution<float> n(0.f, 1.f);
    m.params.embedding.resize(shape.embedding, arch.vocab.size());
    for (long k = 0; k < m.params.embedding.size(); ++k) m.params.embedding.data()[k] = n(rng);
    width = shape.embedding;
  } else {
    m.arch.hasEmbedding = false;
  }
  std::vector<int> widths{width};  // of each layer input: what a pooling head's sources are
  for (const LayerSpec& spec : arch.layers) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(spec.hidden));
    std::vector<DirectionParams<float>> dirs(spec.directions());
    for (auto& d : dirs) {
      uniform(d.W_ih, 4L * spec.hidden, width, bound);
      uniform(d.W_hh, 4L * spec.hidden, spec.hidden, bound);
      uniformVec(d.b_ih, 4L * spec.hidden, bound);
      uniformVec(d.b_hh, 4L * spec.hidden, bound);
    }
    m.params.lstm.push_back(std::move(dirs));
    width = spec.outputWidth();
    widths.push_back(width);
  }
  if (arch.head) {
    if (arch.head->pools()) {
      width = 0;
      for (int source : arch.headSources()) width += widths.at(static_cast<size_t>(source));
      if (arch.head->reads == HeadReads::Flatten) width *= arch.head->steps;
    }
    if (arch.head->reads == HeadReads::AttentionPool)
      uniformVec(m.params.headAttention, width, 1.0 / std::sqrt(static_cast<double>(width)));
    for (int units : shape.headPre) {
      DenseParams<float> d;
      const double bound = 1.0 / std::sqrt(static_cast<double>(width));
      uniform(d.weight, units, width, bound);
      uniformVec(d.bias, units, bound);
      m.params.headPre.push_back(std::move(d));
      width = units;
    }
    const double bound = 1.0 / std::sqrt(static_cast<double>(width));
    uniform(m.params.head.weight, shape.headOutputs, width, bound);
    uniformVec(m.params.head.bias, shape.headOutputs, bound);
  }
  return m;
}

}  // namespace lstmscope
