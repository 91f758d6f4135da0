#include "viz/colour_map.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace lstmscope::viz {
namespace {

// Anchor colours, evenly spaced, interpolated linearly in RGB. viridis and magma are sampled from
// matplotlib's tables at tenths; the diverging maps are ColorBrewer's RdBu and PuOr (11 classes),
// reversed so that negative is blue/purple and positive red/orange.
const std::vector<QRgb>& anchorsOf(const QString& name) {
  static const std::vector<QRgb> viridis{0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
                                         0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725};
  static const std::vector<QRgb> magma{0x000004, 0x180f3d, 0x440f76, 0x721f81, 0x9e2f7f,
                                       0xcd4071, 0xf1605d, 0xfd9668, 0xfeca8d, 0xfcfdbf};
  static const std::vector<QRgb> greys{0xffffff, 0x000000};
  static const std::vector<QRgb> blueRed{0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
                                         0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f};
  static const std::vector<QRgb> purpleOrange{0x2d004b, 0x542788, 0x8073ac, 0xb2abd2, 0xd8daeb, 0xf7f7f7,
                                              0xfee0b6, 0xfdb863, 0xe08214, 0xb35806, 0x7f3b08};
  if (name == QLatin1String("magma")) return magma;
  if (name == QLatin1String("greys")) return greys;
  if (name == QLatin1String("blue-red")) return blueRed;
  if (name == QLatin1String("purple-orange")) return purpleOrange;
  return viridis;
}

}  // namespace

QStringList ColourMap::sequentialNames() {
  return {QStringLiteral("viridis"), QStringLiteral("magma"), QStringLiteral("greys")};
}
QStringList ColourMap::divergingNames() {
  return {QStringLiteral("blue-red"), QStringLiteral("purple-orange")};
}

ColourMap ColourMap::named(const QString& name) {
  ColourMap map;
  const bool known = sequentialNames().contains(name) || divergingNames().contains(name);
  map.name_ = known ? name : QStringLiteral("viridis");
  map.kind_ = divergingNames().contains(map.name_) ? Kind::Diverging : Kind::Sequential;
  const std::vector<QRgb>& anchors = anchorsOf(map.name_);
  const int segments = static_cast<int>(anchors.size()) - 1;
  for (int i = 0; i < kSize; ++i) {
    const double x = static_cast<double>(i) / (kSize - 1) * segments;
    const int k = std::min(static_cast<int>(x), segments - 1);
    const double f = x - k;
    const QRgb a = anchors[k], b = anchors[k + 1];
    const auto mix = [f](int p, int q) { return static_cast<int>(std::lround(p + (q - p) * f)); };
    map.lut_[static_cast<size_t>(i)] = qRgb(mix(qRed(a), qRed(b)), mix(qGreen(a), qGreen(b)), mix(qBlue(a), qBlue(b)));
  }
  return map;
}

ColourScale::ColourScale(ColourMap map, double low, double high) : map_(std::move(map)), low_(low), high_(high) {
  if (map_.kind() == ColourMap::Kind::Diverging) {
    const double m = std::max(std::abs(low_), std::abs(high_));
    low_ = -m, high_ = m;
  }
  if (!(high_ > low_)) high_ = low_ + 1;
  scale_ = static_cast<float>(ColourMap::kSize / (high_ - low_));
}

int ColourScale::indexOf(float value) const {
  if (std::isnan(value)) return -1;
  const float x = (value - static_cast<float>(low_)) * scale_;
  if (!(x > 0)) return 0;  // also catches -inf
  if (x >= ColourMap::kSize - 1) return ColourMap::kSize - 1;
  return static_cast<int>(x);  // 256 equal bins over [low, high]
}

std::pair<double, double> robustSymmetricRange(const float* values, long count, double quantile) {
  constexpr long kMaxSamples = 1 << 20;
  const long stride = std::max(1L, count / kMaxSamples);
  std::vector<float> magnitudes;
  magnitudes.reserve(static_cast<size_t>(count / stride + 1));
  for (long k = 0; k < count; k += stride)
    if (std::isfinite(values[k])) magnitudes.push_back(std::abs(values[k]));
  if (magnitudes.empty()) return {-1.0, 1.0};
  const auto rank = static_cast<size_t>(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(magnitudes.size() - 1));
  std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<long>(rank), magnitudes.end());
  const double m = magnitudes[rank];
  return m > 0 ? std::pair{-m, m} : std::pair{-1.0, 1.0};
}

}  // namespace lstmscope::viz
