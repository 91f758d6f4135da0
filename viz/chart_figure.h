// Exporting a Qt Charts chart at a given size: the chart is given the target geometry before it is
// rendered (QT_NOTES.md: otherwise a PDF shows it tiny in a corner), then put back.
#pragma once

#include <QPainter>
#include <QSize>
#include <QtCharts/QChartView>

namespace lstmscope::viz {

void renderChart(QChartView& view, QPainter& painter, const QSize& size);

}  // namespace lstmscope::viz
