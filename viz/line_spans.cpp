#include "viz/line_spans.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lstmscope::viz {
namespace {

// Draws the premultiplied `colour` with coverage `cover` (0..1) over a premultiplied pixel (source over).
void blend(QRgb& pixel, QRgb colour, double cover) {
  const int a = static_cast<int>(std::lround(255 * cover));
  const int keep = 255 - (qAlpha(colour) * a + 127) / 255;
  const auto mix = [&](int src, int dst) { return (src * a + dst * keep + 127) / 255; };
  pixel = qRgba(mix(qRed(colour), qRed(pixel)), mix(qGreen(colour), qGreen(pixel)), mix(qBlue(colour), qBlue(pixel)),
                mix(qAlpha(colour), qAlpha(pixel)));
}

// Coverage of pixel [p, p + 1) by the interval [a, b].
double overlap(int p, double a, double b) {
  return std::min(p + 1.0, b) - std::max(static_cast<double>(p), a);
}

// Fills the span [a, b] of one row or column (pixelAt(p) is its p-th pixel), antialiased at both ends.
template <typename PixelAt>
void fillSpan(double a, double b, int limit, QRgb colour, PixelAt pixelAt) {
  // Clamped before the casts: a value far off a fixed axis must not overflow an int.
  a = std::clamp(a, -1.0, limit + 1.0), b = std::clamp(b, -1.0, limit + 1.0);
  const int first = std::max(0, static_cast<int>(std::floor(a))), end = std::min(limit, static_cast<int>(std::ceil(b)));
  for (int p = first; p < end; ++p) {
    const double cover = overlap(p, a, b);
    if (cover >= 1 && qAlpha(colour) == 255)
      pixelAt(p) = colour;  // inside an opaque line
    else if (cover > 0)
      blend(pixelAt(p), colour, cover);
  }
}

// A straight segment `width` pixels thick, antialiased: by columns when it is flatter than 45 degrees,
// by rows when steeper, so that its long edges are smooth either way.
void drawSegment(QImage& image, QPointF from, QPointF to, QRgb colour, double width) {
  const double dx = to.x() - from.x(), dy = to.y() - from.y(), half = width / 2;
  const int w = image.width(), h = image.height();
  // The range of columns or rows to visit, clamped before the casts (a point may lie far off the image).
  const auto firstPixel = [](double v, int limit) {
    return static_cast<int>(std::floor(std::clamp(v, 0.0, 1.0 * limit)));
  };
  const auto endPixel = [](double v, int limit) {
    return static_cast<int>(std::ceil(std::clamp(v, 0.0, 1.0 * limit)));
  };
  if (std::abs(dy) <= std::abs(dx)) {
    if (from.x() > to.x()) std::swap(from, to);
    const double slope = dy / dx, thick = half * std::sqrt(1 + slope * slope);
    const int first = firstPixel(from.x(), w), end = endPixel(to.x(), w);
    for (int x = first; x < end; ++x) {
      const double y = from.y() + slope * (std::clamp(x + 0.5, from.x(), to.x()) - from.x());
      fillSpan(y - thick, y + thick, h, colour,
               [&](int row) -> QRgb& { return reinterpret_cast<QRgb*>(image.scanLine(row))[x]; });
    }
    return;
  }
  if (from.y() > to.y()) std::swap(from, to);
  const double run = dx / dy, thick = half * std::sqrt(1 + run * run);
  const int first = firstPixel(from.y(), h), end = endPixel(to.y(), h);
  for (int y = first; y < end; ++y) {
    const double x = from.x() + run * (std::clamp(y + 0.5, from.y(), to.y()) - from.y());
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
    fillSpan(x - thick, x + thick, w, colour, [&](int column) -> QRgb& { return line[column]; });
  }
}

}  // namespace

float lineValueAt(const Mat<float>& values, int unit, double t) {
  const long last = values.cols() - 1;
  const double clamped = std::clamp(t, 0.0, static_cast<double>(last));
  const long k = std::min(static_cast<long>(std::floor(clamped)), last);
  const long next = std::min(k + 1, last);
  const float frac = static_cast<float>(clamped - static_cast<double>(k));
  return values(unit, k) + frac * (values(unit, next) - values(unit, k));
}

void drawLineSpans(QImage& image, const Mat<float>& values, int unit, double firstStep, double lastStep, double low,
                   double high, QRgb colour, double width) {
  const int w = image.width(), h = image.height();
  if (unit < 0 || unit >= values.rows() || values.cols() == 0 || w <= 0 || h <= 0 || !(high > low) ||
      !(lastStep > firstStep))
    return;
  const double stepsPerPixel = (lastStep - firstStep) / w, pixelsPerValue = h / (high - low);
  const double half = width / 2;
  if (stepsPerPixel < 1) {  // steps wider than pixels: straight segments between vertices
    const auto at = [&](long k) {
      return QPointF((k - firstStep) / stepsPerPixel, (high - values(unit, k)) * pixelsPerValue);
    };
    const long first = std::max(0L, static_cast<long>(std::floor(firstStep)) - 1);
    const long end = std::min(values.cols() - 1, static_cast<long>(std::ceil(lastStep)) + 1);
    for (long k = first; k < end; ++k)
      if (std::isfinite(values(unit, k)) && std::isfinite(values(unit, k + 1)))
        drawSegment(image, at(k), at(k + 1), colour, width);
    if (first == end && std::isfinite(values(unit, first)))  // one step: a level line
      drawSegment(image, QPointF(0, at(first).y()), QPointF(w, at(first).y()), colour, width);
    return;
  }
  // Each column's span of the line; `reach` columns beyond either edge for lines entering from outside.
  const int reach = static_cast<int>(std::lround(std::max(0.0, half - 0.5)));
  const int columns = w + 2 * reach;
  std::vector<float> lo(static_cast<size_t>(columns)), hi(static_cast<size_t>(columns));
  float right = lineValueAt(values, unit, firstStep - reach * stepsPerPixel);
  for (int c = 0; c < columns; ++c) {
    const double t0 = firstStep + (c - reach) * stepsPerPixel, t1 = t0 + stepsPerPixel;
    const float left = right;
    right = lineValueAt(values, unit, t1);
    float a = std::min(left, right), b = std::max(left, right);
    const long k0 = std::max(0L, static_cast<long>(std::ceil(t0))),
               k1 = std::min(values.cols(), static_cast<long>(std::floor(t1)) + 1);
    for (long k = k0; k < k1; ++k) {
      const float v = values(unit, k);
      a = std::min(a, v), b = std::max(b, v);
      if (std::isnan(v)) a = b = v;  // a gap in the line
    }
    lo[static_cast<size_t>(c)] = a, hi[static_cast<size_t>(c)] = b;
  }
  for (int x = 0; x < w; ++x) {
    const auto own = static_cast<size_t>(x + reach);
    if (!std::isfinite(lo[own]) || !std::isfinite(hi[own])) continue;
    // The line is `width` wide across as well as up and down: a steep stretch takes the neighbouring
    // columns' spans too (a square pen), or a near-vertical line would be one pixel wide whatever its width.
    float a = lo[own], b = hi[own];
    for (size_t c = own - static_cast<size_t>(reach); c <= own + static_cast<size_t>(reach); ++c)
      if (std::isfinite(lo[c]) && std::isfinite(hi[c])) a = std::min(a, lo[c]), b = std::max(b, hi[c]);
    const double top = (high - b) * pixelsPerValue - half, bottom = (high - a) * pixelsPerValue + half;
    fillSpan(top, bottom, h, colour, [&](int row) -> QRgb& { return reinterpret_cast<QRgb*>(image.scanLine(row))[x]; });
  }
}

}  // namespace lstmscope::viz
