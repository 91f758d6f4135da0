// Exporting a Qt Charts chart at a given size: the chart is given the target geometry before it is
// rendered (docs/DEVELOPING.md, design rule 12: otherwise a PDF shows it tiny in a corner), then put back.
#pragma once

#include <functional>

class QChartView;
class QPainter;
class QSize;

namespace lstmscope::viz {

// `relayout` re-places items positioned in chart coordinates (labels) after each geometry change.
void renderChart(QChartView& view, QPainter& painter, const QSize& size, const std::function<void()>& relayout = {});

}  // namespace lstmscope::viz
