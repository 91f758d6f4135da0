#include "viz/heatmap_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "viz/heatmap_data.h"

namespace lstmscope::viz {
namespace {

// A piece of a step range: one raw step (level -1) or one aligned bin of pyramid level `level`.
struct Segment {
  int level;
  long index;
};

// Splits [first, end) into the fewest aligned pyramid bins plus raw steps at the ragged edges, so that a
// pixel covering n steps reads O(log n) columns instead of n.
void decompose(const HeatmapData& data, long first, long end, int levels, std::vector<Segment>& out) {
  const long totalSteps = data.steps();
  out.clear();
  for (long pos = first; pos < end;) {
    int level = -1;
    for (int k = levels - 1; k >= 0; --k) {
      const long bin = data.binSteps(k);
      if (pos % bin == 0 && std::min(pos + bin, totalSteps) <= end) {
        level = k;
        break;
      }
    }
    if (level < 0) {
      out.push_back({-1, pos++});
    } else {
      out.push_back({level, pos / data.binSteps(level)});
      pos += data.binSteps(level);
    }
  }
}

// NaN must win, or a NaN among finite values would be hidden when zoomed out.
using MinPropagatingNaN = Eigen::internal::scalar_min_op<float, float, Eigen::PropagateNaN>;
using MaxPropagatingNaN = Eigen::internal::scalar_max_op<float, float, Eigen::PropagateNaN>;
using ColumnMap = Eigen::Map<const Eigen::VectorXf>;

// Min and max over the column's steps for every unit (lo, hi have data.units() entries): whole
// contiguous columns, vectorised; the renderer picks the visible units out afterwards.
void accumulateColumn(const HeatmapData& data, const std::vector<Segment>& segments, Eigen::VectorXf& lo,
                      Eigen::VectorXf& hi) {
  const long H = data.units();
  for (size_t k = 0; k < segments.size(); ++k) {
    const Segment& s = segments[k];
    const float* mins =
        s.level < 0 ? data.values().col(s.index).data() : data.pyramid()[s.level].min.col(s.index).data();
    const float* maxs = s.level < 0 ? mins : data.pyramid()[s.level].max.col(s.index).data();
    if (k == 0) {
      lo = ColumnMap(mins, H), hi = ColumnMap(maxs, H);
    } else {
      lo = lo.binaryExpr(ColumnMap(mins, H), MinPropagatingNaN());
      hi = hi.binaryExpr(ColumnMap(maxs, H), MaxPropagatingNaN());
    }
  }
}

float extremeFartherFrom(float lo, float hi, double centre) {
  if (std::isnan(lo) || std::isnan(hi)) return std::numeric_limits<float>::quiet_NaN();
  return std::abs(hi - centre) >= std::abs(lo - centre) ? hi : lo;
}

// Each unit's value for this column (the extreme farther from the centre) and how far it is from the
// centre (NaN counts as infinitely far, so that it always shows). The pixel over several display rows
// shows the farthest of its units' values: the same as the farther of their overall min and max.
void columnExtremes(const Eigen::VectorXf& lo, const Eigen::VectorXf& hi, float centre, Eigen::VectorXf& value,
                    Eigen::VectorXf& distance) {
  const auto below = (lo.array() - centre).abs(), above = (hi.array() - centre).abs();
  value = (above >= below).select(hi, lo);  // NaN in lo or hi makes both NaN (pyramid and raw alike)
  distance = value.array().isNaN().select(std::numeric_limits<float>::infinity(), (value.array() - centre).abs());
}

float pixelValue(const Eigen::VectorXf& value, const Eigen::VectorXf& distance, IndexSpan rows,
                 const std::vector<int>& rowUnits) {
  int best = rowUnits[static_cast<size_t>(rows.first)];
  for (long q = rows.first + 1; q < rows.end; ++q) {
    const int u = rowUnits[static_cast<size_t>(q)];
    if (distance[u] > distance[best]) best = u;
  }
  return value[best];
}

int pyramidLevels(const HeatmapData& data, const HeatmapViewport& vp) {
  // Zoomed in, every pixel covers at most one step: do not build the pyramid just to ignore it.
  return vp.visibleSteps > vp.width ? static_cast<int>(data.pyramid().size()) : 0;
}

}  // namespace

void minMaxOverSteps(const HeatmapData& data, long first, long end, Eigen::VectorXf& lo, Eigen::VectorXf& hi,
                     bool mayBuild) {
  first = std::max(0L, first), end = std::min(end, data.steps());
  if (end <= first) {
    lo.setConstant(data.units(), std::numeric_limits<float>::quiet_NaN()), hi = lo;
    return;
  }
  // A short range reads its raw steps (no need to build the pyramid for it).
  const bool pyramid = end - first > 2 * HeatmapData::kFirstBin && (mayBuild || data.pyramidBuilt());
  const int levels = pyramid ? static_cast<int>(data.pyramid().size()) : 0;
  std::vector<Segment> segments;
  decompose(data, first, end, levels, segments);
  accumulateColumn(data, segments, lo, hi);
}

QImage renderHeatmap(const HeatmapData& data, const HeatmapFrameRequest& request, QRgb background) {
  const HeatmapViewport& vp = request.viewport;
  QImage image(vp.width, vp.height, QImage::Format_RGB32);
  image.fill(background);
  if (data.steps() == 0 || request.rowUnits.empty()) return image;
  // Pixel rows that show the same display rows (zoomed in on units) share one value.
  struct Band {
    IndexSpan rows;
    int y0, y1;
  };
  std::vector<Band> bands;
  for (int y = 0; y < vp.height; ++y) {
    const IndexSpan rows = vp.rowSpan(y);
    if (rows.size() == 0) continue;
    if (!bands.empty() && bands.back().rows == rows && bands.back().y1 == y)
      ++bands.back().y1;
    else
      bands.push_back({rows, y, y + 1});
  }
  const int levels = pyramidLevels(data, vp);
  const double centre = request.scale.centre();
  const auto lineStride = image.bytesPerLine() / static_cast<qsizetype>(sizeof(QRgb));
  QRgb* pixels = reinterpret_cast<QRgb*>(image.bits());

  // Tiles of kTile columns: a tile is filled column by column in a buffer that fits in cache, then
  // copied row by row, so that writes to the row-major image stay contiguous.
  constexpr int kTile = 32;
  const int tiles = (vp.width + kTile - 1) / kTile;
#pragma omp parallel
  {
    Eigen::VectorXf lo(data.units()), hi(data.units()), value(data.units()), distance(data.units());
    std::vector<Segment> segments;
    std::vector<QRgb> tile(static_cast<size_t>(kTile) * vp.height, background);
#pragma omp for schedule(dynamic, 1)
    for (int t = 0; t < tiles; ++t) {
      const int x0 = t * kTile, width = std::min(kTile, vp.width - x0);
      IndexSpan previous;
      for (int i = 0; i < width; ++i) {
        const IndexSpan steps = vp.columnSpan(x0 + i);
        QRgb* column = tile.data() + i;
        if (steps.size() == 0) {
          for (int y = 0; y < vp.height; ++y) column[y * kTile] = background;
        } else if (i > 0 && steps == previous) {
          // Zoomed in on time: the same step as the column to the left.
          for (int y = 0; y < vp.height; ++y) column[y * kTile] = column[y * kTile - 1];
        } else {
          decompose(data, steps.first, steps.end, levels, segments);
          accumulateColumn(data, segments, lo, hi);
          columnExtremes(lo, hi, static_cast<float>(centre), value, distance);
          for (const Band& band : bands) {
            const QRgb colour = request.scale.colourOf(pixelValue(value, distance, band.rows, request.rowUnits));
            for (int y = band.y0; y < band.y1; ++y) column[y * kTile] = colour;
          }
        }
        previous = steps;
      }
      for (int y = 0; y < vp.height; ++y)
        std::memcpy(pixels + y * lineStride + x0, tile.data() + static_cast<size_t>(y) * kTile, sizeof(QRgb) * width);
    }
  }
  return image;
}

float aggregatedValue(const HeatmapData& data, const HeatmapFrameRequest& request, int x, int y) {
  const HeatmapViewport& vp = request.viewport;
  const IndexSpan steps = vp.columnSpan(x), rows = vp.rowSpan(y);
  if (steps.size() == 0 || rows.size() == 0) return std::numeric_limits<float>::quiet_NaN();
  float l = std::numeric_limits<float>::infinity(), h = -l;
  for (long q = rows.first; q < rows.end; ++q)
    for (long s = steps.first; s < steps.end; ++s) {
      const float v = data.values()(request.rowUnits[q], s);
      if (std::isnan(v)) return v;
      l = std::min(l, v), h = std::max(h, v);
    }
  return extremeFartherFrom(l, h, request.scale.centre());
}

}  // namespace lstmscope::viz
