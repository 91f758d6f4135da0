#include "viz/meta_strips.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

#include "viz/heatmap_viewport.h"
#include "viz/palette.h"

namespace lstmscope::viz {

MetaTrackStyle metaTrackStyle(const MetaTrack& track) {
  MetaTrackStyle s;
  s.name = QString::fromStdString(track.name);
  for (const std::string& c : track.categories) s.categories << QString::fromStdString(c);
  if (!track.values.empty() && !track.categorical()) {
    const auto [low, high] = std::minmax_element(track.values.begin(), track.values.end());
    s.low = *low, s.high = *high;
  }
  return s;
}

QColor metaTrackColour(const MetaTrackStyle& style, float value) {
  if (std::isnan(value)) return Qt::white;
  if (!style.categories.isEmpty()) return categoricalColour(static_cast<int>(value)).lighter(130);
  const float span = style.high > style.low ? style.high - style.low : 1.0f;
  const double share = std::clamp(static_cast<double>((value - style.low) / span), 0.0, 1.0);
  // Light grey (so that the low end shows on a white page) to blue; no value is white.
  return QColor::fromRgbF(0.92 - 0.67 * share, 0.92 - 0.47 * share, 0.92 - 0.17 * share);
}

QString metaTrackLegend(const MetaTrackStyle& style) {
  if (!style.categories.isEmpty())
    return QStringLiteral("%1 (%2)").arg(style.name, style.categories.join(QStringLiteral(", ")));
  if (style.envelope) return QStringLiteral("%1 (peak amplitude, bar height 0 to %2)").arg(style.name).arg(style.high);
  return QStringLiteral("%1 (grey %2 to blue %3)").arg(style.name).arg(style.low).arg(style.high);
}

namespace {

// A bar per pixel column, centred on the strip, as tall as the largest value among the steps the column
// covers (a waveform overview keeps its peaks however far it is zoomed out).
void paintEnvelope(QPainter& p, const QRect& area, int top, const HeatmapViewport& vp, const MetaStrip& strip) {
  const double height = kMetaStripHeight - 1, centre = top + height / 2;
  const long count = static_cast<long>(strip.values.size());
  for (int x = 0; x < area.width(); ++x) {
    const long from = std::max(0L, static_cast<long>(std::floor(vp.stepAtX(x))));
    const long to = std::min(count, std::max(from + 1, static_cast<long>(std::ceil(vp.stepAtX(x + 1)))));
    float peak = -1;
    for (long s = from; s < to; ++s)
      if (!std::isnan(strip.values[static_cast<size_t>(s)]))
        peak = std::max(peak, strip.values[static_cast<size_t>(s)]);
    if (peak < 0) continue;
    const double share = std::clamp(static_cast<double>(peak / std::max(strip.style.high, 1e-30f)), 0.0, 1.0);
    const double half = std::max(0.5, share * height / 2);
    p.fillRect(QRectF(area.left() + x, centre - half, 1, 2 * half), QColor(0x44, 0x55, 0x66));
  }
}

}  // namespace

void paintMetaStrips(QPainter& p, const QRect& area, const QRect& labels, const HeatmapViewport& vp,
                     const std::vector<MetaStrip>& strips) {
  p.save();
  const long first = std::max(0L, static_cast<long>(std::floor(vp.firstStep)));
  const long end = std::min<long>(vp.steps, static_cast<long>(std::ceil(vp.firstStep + vp.visibleSteps)));
  QFont small = p.font();
  small.setPixelSize(kMetaStripHeight - 1);  // one name per strip, never over the next
  p.setFont(small);
  for (size_t k = 0; k < strips.size(); ++k) {
    const MetaStrip& strip = strips[k];
    const int top = area.top() + static_cast<int>(k) * kMetaStripHeight;
    p.setClipRect(area);
    // One rectangle per step when steps are wider than a pixel, else one per pixel column (its first step).
    const double pps = vp.pixelsPerStep();
    if (strip.style.envelope) {
      paintEnvelope(p, area, top, vp, strip);
    } else if (pps >= 1) {
      for (long s = first; s < end && s < static_cast<long>(strip.values.size()); ++s) {
        const double x0 = area.left() + vp.xOfStep(s), x1 = area.left() + vp.xOfStep(s + 1);
        p.fillRect(QRectF(x0, top, x1 - x0, kMetaStripHeight - 1), metaTrackColour(strip.style, strip.values[s]));
      }
    } else {
      for (int x = 0; x < area.width(); ++x) {
        const long s = static_cast<long>(vp.stepAtX(x + 0.5));
        if (s < 0 || s >= static_cast<long>(strip.values.size())) continue;
        p.fillRect(QRect(area.left() + x, top, 1, kMetaStripHeight - 1),
                   metaTrackColour(strip.style, strip.values[static_cast<size_t>(s)]));
      }
    }
    p.setClipRect(labels.adjusted(0, 0, 0, area.bottom() - labels.bottom()));
    p.setPen(Qt::darkGray);
    p.drawText(QRect(labels.left(), top - 2, labels.width() - 4, kMetaStripHeight + 4),
               Qt::AlignRight | Qt::AlignVCenter, strip.style.name);
  }
  p.restore();
}

}  // namespace lstmscope::viz
