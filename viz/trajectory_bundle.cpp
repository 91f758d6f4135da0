#include "viz/trajectory_bundle.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"

namespace lstmscope::viz {
namespace {

using Column = Eigen::Array<float, Eigen::Dynamic, 1>;

// The lines' values (one per requested unit) at continuous step position t, where step k's vertex sits
// at k + 0.5: linear between neighbouring vertices, constant beyond the data's first and last step.
void valuesAt(const Mat<float>& values, const std::vector<int>& rows, double t, Column& out) {
  const long steps = values.cols();
  const double k = std::floor(t - 0.5);
  const long k0 = std::clamp(static_cast<long>(k), 0L, steps - 1), k1 = std::min(k0 + 1, steps - 1);
  const float frac = static_cast<float>(std::clamp(t - 0.5 - k, 0.0, 1.0));
  const bool before = t - 0.5 < 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const float a = values(rows[r], k0), b = values(rows[r], k1);
    out(static_cast<Eigen::Index>(r)) = before ? a : a + frac * (b - a);
  }
}

}  // namespace

double bundleOpacityFor(int lines) {
  return std::clamp(1.0 / std::sqrt(std::max(1, lines)), 0.02, 0.6);
}

std::vector<unsigned short> bundleCoverage(const HeatmapData& data, const TrajectoryBundleRequest& request,
                                           const std::atomic<bool>* cancelled) {
  const int width = request.size.width(), height = request.size.height();
  std::vector<unsigned short> coverage(static_cast<size_t>(std::max(0, width)) * std::max(0, height), 0);
  std::vector<int> rows;
  for (const int u : request.units)
    if (u >= 0 && u < data.units()) rows.push_back(u);
  const Mat<float>& values = data.values();
  if (rows.empty() || width <= 0 || height <= 0 || data.steps() == 0 || !(request.high > request.low) ||
      !(request.visibleSteps > 0))
    return coverage;
  const double stepsPerPixel = request.visibleSteps / width, rowsPerValue = height / (request.high - request.low);
  const auto rowOf = [&](float v) {  // top pixel row 0 is `high`
    return static_cast<int>(std::clamp(std::floor((request.high - v) * rowsPerValue), 0.0, height - 1.0));
  };
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  // Chunks of columns in parallel, each with its own buffers (the heatmap renderer's way).
  constexpr int kChunk = 64;
  const int chunks = (width + kChunk - 1) / kChunk;
  bool stopped = false;
#pragma omp parallel
  {
    Column lo(n), hi(n), enter(n), leave(n);
    Eigen::VectorXf stepsLo, stepsHi;                  // every unit's extremes over the column's steps
    std::vector<char> broken(static_cast<size_t>(n));  // a NaN in the column: the line has a gap there
    std::vector<int> starts(static_cast<size_t>(height) + 1);
#pragma omp for schedule(dynamic, 1)
    for (int chunk = 0; chunk < chunks; ++chunk) {
      if (cancelled && cancelled->load(std::memory_order_relaxed)) {
#pragma omp atomic write
        stopped = true;
        continue;
      }
      const int x0 = chunk * kChunk, x1 = std::min(width, x0 + kChunk);
      valuesAt(values, rows, request.firstStep + x0 * stepsPerPixel, leave);
      for (int x = x0; x < x1; ++x) {
        const double t0 = request.firstStep + x * stepsPerPixel, t1 = t0 + stepsPerPixel;
        // The line enters the column at its left edge, leaves at its right edge...
        enter = leave;
        valuesAt(values, rows, t1, leave);
        for (Eigen::Index r = 0; r < n; ++r) {
          lo(r) = std::min(enter(r), leave(r)), hi(r) = std::max(enter(r), leave(r));
          broken[static_cast<size_t>(r)] = std::isnan(enter(r)) || std::isnan(leave(r));
        }
        // ...and turns at every step centre in between: their min and max from the heatmap's pyramid, so a
        // zoomed-out column reads a few bins, not every step.
        const long k0 = std::max(0L, static_cast<long>(std::ceil(t0 - 0.5))),
                   k1 = std::min(data.steps(), static_cast<long>(std::ceil(t1 - 0.5)));
        if (k1 > k0) {
          minMaxOverSteps(data, k0, k1, stepsLo, stepsHi);
          for (Eigen::Index r = 0; r < n; ++r) {
            const int unit = rows[static_cast<size_t>(r)];
            if (std::isnan(stepsLo(unit)) || std::isnan(stepsHi(unit))) broken[static_cast<size_t>(r)] = 1;
            lo(r) = std::min(lo(r), stepsLo(unit)), hi(r) = std::max(hi(r), stepsHi(unit));
          }
        }
        // Each line adds one over its span of rows: +1 at the top, -1 below the bottom, then a running
        // sum down the column (a line's cost does not grow with its span).
        std::fill(starts.begin(), starts.end(), 0);
        float envelopeLo = std::numeric_limits<float>::infinity(), envelopeHi = -envelopeLo;
        for (Eigen::Index r = 0; r < n; ++r) {
          if (broken[static_cast<size_t>(r)]) continue;
          if (request.envelope) {
            envelopeLo = std::min(envelopeLo, lo(r)), envelopeHi = std::max(envelopeHi, hi(r));
            continue;
          }
          ++starts[static_cast<size_t>(rowOf(hi(r)))];
          --starts[static_cast<size_t>(rowOf(lo(r))) + 1];
        }
        if (envelopeLo <= envelopeHi) {
          ++starts[static_cast<size_t>(rowOf(envelopeHi))];
          --starts[static_cast<size_t>(rowOf(envelopeLo)) + 1];
        }
        unsigned short* column = coverage.data() + static_cast<size_t>(x) * height;
        int running = 0;
        for (int y = 0; y < height; ++y) {
          running += starts[static_cast<size_t>(y)];
          column[y] = static_cast<unsigned short>(std::min<int>(running, std::numeric_limits<unsigned short>::max()));
        }
      }
    }
  }
  if (stopped) return {};
  return coverage;
}

QImage renderTrajectoryBundle(const HeatmapData& data, const TrajectoryBundleRequest& request,
                              const std::atomic<bool>* cancelled) {
  const std::vector<unsigned short> coverage = bundleCoverage(data, request, cancelled);
  const int width = request.size.width(), height = request.size.height();
  if (width <= 0 || height <= 0 || coverage.size() != static_cast<size_t>(width) * height) return {};
  // Opacity by count, 1 - (1 - a)^n, as premultiplied pixels of the bundle's colour.
  const int most = *std::max_element(coverage.begin(), coverage.end());
  std::vector<QRgb> pixelFor(static_cast<size_t>(most) + 1);
  for (int count = 0; count <= most; ++count) {
    const double alpha = 1 - std::pow(1 - request.opacity, count);
    pixelFor[static_cast<size_t>(count)] =
        qPremultiply(qRgba(qRed(request.colour), qGreen(request.colour), qBlue(request.colour),
                           static_cast<int>(std::lround(255 * alpha))));
  }
  QImage image(request.size, QImage::Format_ARGB32_Premultiplied);
  for (int y = 0; y < height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < width; ++x) line[x] = pixelFor[coverage[static_cast<size_t>(x) * height + y]];
  }
  return image;
}

}  // namespace lstmscope::viz
