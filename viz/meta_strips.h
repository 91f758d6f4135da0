// Meta tracks (per-step annotations of a trace: nesting depth, inside quotes, a label file) drawn as thin
// coloured strips under tokens, as LSTMVis does: in the heatmap under its token strip and in the match
// view's rows. Numbers shade from white to blue over the track's range, categories get distinct colours.
#pragma once

#include <QColor>
#include <QRect>
#include <QString>
#include <QStringList>
#include <vector>

#include "core/formats/trace_meta.h"

class QPainter;

namespace lstmscope::viz {

struct HeatmapViewport;

struct MetaTrackStyle {
  QString name;
  QStringList categories;  // empty: numbers, shaded from low to high over [low, high]
  float low = 0, high = 1;
  // Drawn as an audio waveform's envelope (a bar centred on the strip, as tall as value / high), not shaded:
  // an audio model's peak amplitude per step.
  bool envelope = false;
};

// A track's values over the steps a view shows (step k of the view is values[k]; NaN: none).
struct MetaStrip {
  MetaTrackStyle style;
  std::vector<float> values;
};

// How a track is coloured: its categories, or its numbers' range over the values given (the whole trace,
// so that colours compare across windows).
MetaTrackStyle metaTrackStyle(const MetaTrack& track);

QColor metaTrackColour(const MetaTrackStyle& style, float value);
// "depth (white 0 to blue 8)", "quotes (no, yes)" or "waveform (peak amplitude, bar height 0 to 0.8)".
QString metaTrackLegend(const MetaTrackStyle& style);

// Height of one strip in the heatmap.
inline constexpr int kMetaStripHeight = 10;

// The strips one under the other in `area` (kMetaStripHeight each) for the steps `vp` shows, each named
// at its left in `labels` (the unit axis' column).
void paintMetaStrips(QPainter& p, const QRect& area, const QRect& labels, const HeatmapViewport& vp,
                     const std::vector<MetaStrip>& strips);

}  // namespace lstmscope::viz
