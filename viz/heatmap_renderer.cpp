#include "viz/heatmap_renderer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lstmscope::viz {
namespace {

// A piece of a step range: one raw step (level -1) or one aligned bin of pyramid level `level`.
struct Segment {
  int level;
  long index;
};

// Splits [first, end) into the fewest aligned pyramid bins plus raw steps at the ragged edges, so that a
// pixel covering n steps reads O(log n) columns instead of n.
void decompose(long first, long end, long totalSteps, int levels, std::vector<Segment>& out) {
  out.clear();
  for (long pos = first; pos < end;) {
    int level = -1;
    for (int k = levels - 1; k >= 0; --k) {
      const long bin = 2L << k;
      if (pos % bin == 0 && std::min(pos + bin, totalSteps) <= end) {
        level = k;
        break;
      }
    }
    if (level < 0) {
      out.push_back({-1, pos++});
    } else {
      out.push_back({level, pos >> (level + 1)});
      pos += 2L << level;
    }
  }
}

// Min and max over the column's steps for each unit of the visible rows.
void accumulateColumn(const HeatmapData& data, const std::vector<Segment>& segments, const int* units, long count,
                      float* lo, float* hi) {
  std::fill(lo, lo + count, std::numeric_limits<float>::infinity());
  std::fill(hi, hi + count, -std::numeric_limits<float>::infinity());
  for (const Segment& s : segments) {
    const float* mins = s.level < 0 ? data.values().col(s.index).data() : data.pyramid()[s.level].min.col(s.index).data();
    const float* maxs = s.level < 0 ? mins : data.pyramid()[s.level].max.col(s.index).data();
    for (long i = 0; i < count; ++i) {
      // NaN must win, or a NaN among finite values would be hidden when zoomed out.
      const float a = mins[units[i]], b = maxs[units[i]];
      lo[i] = std::isnan(a) || std::isnan(lo[i]) ? std::numeric_limits<float>::quiet_NaN() : std::min(lo[i], a);
      hi[i] = std::isnan(b) || std::isnan(hi[i]) ? std::numeric_limits<float>::quiet_NaN() : std::max(hi[i], b);
    }
  }
}

float extremeFartherFrom(float lo, float hi, double centre) {
  if (std::isnan(lo) || std::isnan(hi)) return std::numeric_limits<float>::quiet_NaN();
  return std::abs(hi - centre) >= std::abs(lo - centre) ? hi : lo;
}

// The visible display rows and the unit each shows.
struct VisibleRows {
  long first = 0;
  std::vector<int> units;
};

VisibleRows visibleRows(const HeatmapFrameRequest& r) {
  const HeatmapViewport& vp = r.viewport;
  VisibleRows out;
  const IndexSpan top = vp.rowSpan(0), bottom = vp.rowSpan(vp.height - 1);
  if (top.size() == 0 && bottom.size() == 0) return out;
  out.first = top.size() ? top.first : bottom.first;
  const long end = bottom.size() ? bottom.end : top.end;
  out.units.assign(r.rowUnits.begin() + out.first, r.rowUnits.begin() + end);
  return out;
}

float pixelValue(const float* lo, const float* hi, IndexSpan rows, long firstVisible, double centre) {
  float l = std::numeric_limits<float>::infinity(), h = -l;
  bool nan = false;
  for (long q = rows.first; q < rows.end; ++q) {
    const long i = q - firstVisible;
    nan |= std::isnan(lo[i]) || std::isnan(hi[i]);
    l = std::min(l, lo[i]), h = std::max(h, hi[i]);
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : extremeFartherFrom(l, h, centre);
}

int pyramidLevels(const HeatmapData& data, const HeatmapViewport& vp) {
  // Zoomed in, every pixel covers at most one step: do not build the pyramid just to ignore it.
  return vp.visibleSteps > vp.width ? static_cast<int>(data.pyramid().size()) : 0;
}

}  // namespace

QImage renderHeatmap(const HeatmapData& data, const HeatmapFrameRequest& request, QRgb background) {
  const HeatmapViewport& vp = request.viewport;
  QImage image(vp.width, vp.height, QImage::Format_RGB32);
  image.fill(background);
  if (data.steps() == 0 || request.rowUnits.empty()) return image;
  const VisibleRows visible = visibleRows(request);
  const long count = static_cast<long>(visible.units.size());
  std::vector<IndexSpan> rowSpans(static_cast<size_t>(vp.height));
  for (int y = 0; y < vp.height; ++y) rowSpans[y] = vp.rowSpan(y);
  const int levels = pyramidLevels(data, vp);
  const double centre = request.scale.centre();
  const auto lineStride = image.bytesPerLine() / static_cast<qsizetype>(sizeof(QRgb));
  QRgb* pixels = reinterpret_cast<QRgb*>(image.bits());

#pragma omp parallel
  {
    std::vector<float> lo(count), hi(count);
    std::vector<Segment> segments;
#pragma omp for schedule(dynamic, 32)
    for (int x = 0; x < vp.width; ++x) {
      const IndexSpan steps = vp.columnSpan(x);
      if (steps.size() == 0) continue;
      decompose(steps.first, steps.end, data.steps(), levels, segments);
      accumulateColumn(data, segments, visible.units.data(), count, lo.data(), hi.data());
      for (int y = 0; y < vp.height; ++y) {
        if (rowSpans[y].size() == 0) continue;
        const float v = pixelValue(lo.data(), hi.data(), rowSpans[y], visible.first, centre);
        pixels[y * lineStride + x] = request.scale.colourOf(v);
      }
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
