// Gate saturation (Karpathy et al. 2015): for each unit, the fraction of steps a gate is left-saturated
// (< 0.1) against right-saturated (> 0.9); one scatter per gate (i, f, o) of the chosen layer. The cell
// candidate g is a tanh, not a gate in [0, 1], so it has no saturation plot. Clicking a point picks its unit.
#pragma once

#include <QWidget>
#include <array>
#include <memory>

#include "core/analysis/statistics.h"
#include "core/engine/record.h"
#include "core/model/model.h"
#include "viz/exportable_view.h"

class QChartView;
class QLineSeries;

namespace lstmscope::viz {

class ChartMarkers;

class SaturationView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit SaturationView(QWidget* parent = nullptr);

  // `table` holds every layer's statistics (computed with the analysis, off the GUI thread); `layers`
  // name their directions.
  void setStatistics(std::shared_ptr<const SaturationTable> table, std::vector<LayerSpec> layers);
  void setLayer(int layer);
  void setHighlightedUnits(const std::vector<int>& units);

  static constexpr std::array<Quantity, 3> kGates{Quantity::I, Quantity::F, Quantity::O};
  // The shown layer's statistics: [gate][direction][unit]
  const std::vector<std::vector<std::vector<Saturation>>>& statistics() const { return (*table_)[layer_]; }
  QChartView* chartView(int gate) const { return views_[static_cast<size_t>(gate)]; }
  // The points drawn for a gate and direction (x: fraction < 0.1, y: fraction > 0.9, one per unit).
  const QList<QPointF>& points(int gate, int direction) const;

  QString figureTitle() const override { return tr("Gate saturation, layer %1").arg(layer_); }
  // The three gates side by side, or stacked when the figure is narrower than three readable panels.
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void unitPicked(int unit);

 private:
  void buildChart(size_t gate);
  void rebuild();  // the points and titles of the shown layer; the charts themselves are built once

  std::shared_ptr<const SaturationTable> table_;
  std::vector<LayerSpec> layers_;
  int layer_ = 0;
  std::vector<int> highlighted_;
  std::array<QChartView*, 3> views_{};
  struct GateChart {
    QLineSeries* diagonal = nullptr;       // x + y = 1; also the markers' value-to-position mapping
    std::array<ChartMarkers*, 2> units{};  // a point per unit, per direction
    ChartMarkers* highlighted = nullptr;   // the selected units' points
  };
  std::array<GateChart, 3> charts_{};
};

}  // namespace lstmscope::viz
