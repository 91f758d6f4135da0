#include "core/formats/foreign/keras_pooling.h"

#include <numeric>

#include "core/common/error.h"

namespace lstmscope {

std::optional<HeadReads> kerasPoolingOf(const std::string& className) {
  const size_t cut = className.rfind('>');
  const std::string name = cut == std::string::npos ? className : className.substr(cut + 1);
  if (name == "GlobalAveragePooling1D" || name == "GlobalAvgPool1D") return HeadReads::AveragePool;
  if (name == "GlobalMaxPooling1D" || name == "GlobalMaxPool1D") return HeadReads::MaxPool;
  if (name == "AttentionWeightedAverage") return HeadReads::AttentionPool;
  return std::nullopt;
}

Vec<float> kerasAttentionVector(const std::vector<NamedTensor>& weights, const std::string& where) {
  if (weights.size() != 1)
    throw InputError(where, "is an attention layer with " + std::to_string(weights.size()) +
                                " weights; AttentionWeightedAverage has one, a (D, 1) vector");
  const NamedTensor& w = weights[0];
  const bool shaped = (w.shape.size() == 2 && w.dim(1) == 1) || w.shape.size() == 1;
  if (!shaped || w.values.empty())
    throw InputError(where, "is an attention layer whose weight " + w.name + " has shape " + w.shapeText() +
                                "; AttentionWeightedAverage's is (D, 1)");
  return Eigen::Map<const Vec<float>>(w.values.data(), static_cast<long>(w.values.size()));
}

std::vector<int> kerasJoinOfWidth(int width, const std::vector<int>& widths) {
  const int L = static_cast<int>(widths.size()) - 1;
  std::vector<int> all(static_cast<size_t>(L) + 1), layers(static_cast<size_t>(L));
  std::iota(all.begin(), all.end(), 0);
  std::iota(layers.begin(), layers.end(), 1);
  for (const std::vector<int>& candidate : {std::vector<int>{L}, all, layers}) {
    int sum = 0;
    for (int s : candidate) sum += widths[static_cast<size_t>(s)];
    if (sum == width) return candidate;
  }
  return {};
}

}  // namespace lstmscope
