// Scores as lines (Qt Charts): a few named series of (x, y) points, solid or dashed, over a numeric x axis
// or one whose ticks are named (layers: "0", "1", "all"), with optional horizontal reference lines (a
// target, the full probe's score). The Probes dock's probing curve and L1 path (viz/probe_charts.h).
#pragma once

#include <QColor>
#include <QPointF>
#include <QString>
#include <QtCharts/QChartView>
#include <limits>
#include <vector>

#include "viz/exportable_view.h"

namespace lstmscope::viz {

struct ScoreLine {
  QString name;
  std::vector<QPointF> points;
  QColor colour;
  bool dashed = false;
};

struct ScoreReference {
  QString name;
  double y = 0;
};

struct ScoreChartContent {
  QString title, xTitle, yTitle;
  std::vector<ScoreLine> lines;
  std::vector<ScoreReference> references;  // dotted grey horizontal lines, named in the legend
  std::vector<QString> xNames;             // non-empty: x = 0, 1, … are named so (no other ticks)
  bool logX = false;                       // a logarithmic x axis (x > 0)
  // Scores below are drawn at the floor (the CSV keeps them): an R² of -600 would flatten every other line.
  double yFloor = -std::numeric_limits<double>::infinity();
};

class ScoreLinesChart : public QChartView, public ExportableView {
  Q_OBJECT
 public:
  explicit ScoreLinesChart(QWidget* parent = nullptr);

  void setContent(ScoreChartContent content);  // by value: setContent(content()) is safe
  void clear(const QString& message);
  const ScoreChartContent& content() const { return content_; }

  QString figureTitle() const override { return content_.title; }
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  // One row per point: series, x (its name where x is named), y.
  void writeCsv(QTextStream& out) const override;

 private:
  ScoreChartContent content_;
};

}  // namespace lstmscope::viz
