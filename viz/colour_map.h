// Colour maps and the value -> colour scale every view uses. Pure logic: no widgets, safe on any thread.
#pragma once

#include <QColor>
#include <QString>
#include <QStringList>
#include <array>

namespace lstmscope::viz {

// A 256-entry lookup table. Sequential maps run low -> high; diverging maps have their neutral colour at
// the centre (entries 127/128), for signed values centred on zero.
class ColourMap {
 public:
  enum class Kind { Sequential, Diverging };
  static constexpr int kSize = 256;

  static ColourMap named(const QString& name);  // falls back to viridis for an unknown name
  static QStringList sequentialNames();         // "viridis", "magma", "greys"
  static QStringList divergingNames();          // "blue-red", "purple-orange"

  const QString& name() const { return name_; }
  Kind kind() const { return kind_; }
  QRgb entry(int index) const { return lut_[static_cast<size_t>(index)]; }
  const std::array<QRgb, kSize>& table() const { return lut_; }

 private:
  QString name_;
  Kind kind_ = Kind::Sequential;
  std::array<QRgb, kSize> lut_{};
};

// Maps values in [low, high] linearly onto a colour map's entries; values outside are clamped, NaN
// draws as `nanColour`. For a diverging map the range is made symmetric about zero so that zero is
// always the neutral colour.
class ColourScale {
 public:
  ColourScale() = default;
  ColourScale(ColourMap map, double low, double high);

  int indexOf(float value) const;  // 0..255, or -1 for NaN
  QRgb colourOf(float value) const {
    const int i = indexOf(value);
    return i < 0 ? nanColour : map_.entry(i);
  }
  double low() const { return low_; }
  double high() const { return high_; }
  double centre() const { return 0.5 * (low_ + high_); }
  const ColourMap& map() const { return map_; }

  static constexpr QRgb nanColour = 0xff00ff00;  // bright green: never part of a map

 private:
  ColourMap map_ = ColourMap::named(QStringLiteral("viridis"));
  double low_ = 0, high_ = 1;
  float scale_ = 256.0f;
};

// Black or white, whichever reads better as text on `background`.
inline QColor textColourOn(QRgb background) {
  const double luma = 0.299 * qRed(background) + 0.587 * qGreen(background) + 0.114 * qBlue(background);
  return luma > 140 ? Qt::black : Qt::white;
}

// A symmetric range [-m, m] for signed values, m the `quantile` of |value| over finite values (read from
// at most ~1M evenly spaced samples), so that a few outliers do not wash the whole map out; values beyond
// are drawn in the end colours. [-1, 1] when there are no finite values, widened when m is 0.
std::pair<double, double> robustSymmetricRange(const float* values, long count, double quantile = 0.995);

}  // namespace lstmscope::viz
