// Lines of recorded values drawn into pixels, antialiased and cheap: the trajectories' selected and
// hovered lines (docs/DEVELOPING.md, design rule 18). Pure functions of their arguments.
//
// Convention: step k's vertex is at x value k (the trajectories' axes; the bundle renderer's requests
// put it at k + 0.5 and trajectory_plot.h converts).
#pragma once

#include <QImage>
#include <QRgb>

#include "core/analysis/aggregation.h"

namespace lstmscope::viz {

// A unit's line at x value t, where step k's vertex sits at k: straight between vertices, flat beyond
// the first and last step.
float lineValueAt(const Mat<float>& values, int unit, double t);

// One unit's line drawn onto `image` (premultiplied ARGB) in `colour` (premultiplied), antialiased, `width` pixels
// thick: straight segments between the steps' vertices when steps are wider than pixels (by columns where flatter than
// 45 degrees, by rows where steeper); else, in each pixel column, the span between the line's values at
// the column's edges and at the steps inside it, widened by the width. QPainter's stroker took ~20-30 ms
// for one wide line of 2,000 jagged steps; this costs a few pixels per column.
// `firstStep`, `lastStep`, `low` and `high` are the image's edges (the x value of step k's vertex is k).
void drawLineSpans(QImage& image, const Mat<float>& values, int unit, double firstStep, double lastStep, double low,
                   double high, QRgb colour, double width);

}  // namespace lstmscope::viz
