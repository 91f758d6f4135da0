// LSTMVis's select view: every unit of the layer as a faint line over the visible steps (the bundle,
// rendered off the GUI thread), the selected units on top in colour, the brushed range marked, and a
// threshold line that can be dragged (or set) to change the selection rule's threshold.
#pragma once

#include <QFutureWatcher>
#include <QImage>
#include <QStringList>
#include <QtCharts/QChartView>
#include <atomic>
#include <memory>

#include "viz/exportable_view.h"
#include "viz/heatmap_viewport.h"
#include "viz/trajectory_bundle.h"

class QLineSeries;
class QValueAxis;

namespace lstmscope::viz {

class HeatmapData;

class TrajectoryChart : public QChartView, public ExportableView {
  Q_OBJECT
 public:
  explicit TrajectoryChart(QWidget* parent = nullptr);

  // `tokens` label the steps in figures; `title` names the layer and quantity; `valueLabel` (the quantity
  // alone) labels the y axis.
  void setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens, const QString& title,
               const QString& valueLabel);
  void setUnits(const std::vector<int>& units, int currentUnit);  // lines, the current one drawn bold
  void setWindow(long first, long end);                           // steps shown
  void setBrush(IndexSpan steps);
  void setThreshold(double threshold);
  double threshold() const { return threshold_; }
  int lineCount() const { return static_cast<int>(lines_.size()); }
  bool bundleShown() const { return !bundle_.isNull(); }  // the faint lines of every unit are drawn

  static constexpr int kMaxLines = 40;      // more selected units are listed, not drawn
  static constexpr long kMaxPoints = 4000;  // per line; longer windows are decimated by min/max

  QString figureTitle() const override { return chart()->title(); }
  // The chart with the steps' tokens in a strip above the plot, under the title.
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void thresholdDragged(double threshold);
  void stepClicked(long step);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void drawBackground(QPainter* painter, const QRectF& rect) override;  // white, then the bundle

 private:
  void rebuild();
  void placeDecorations();
  void renderWithTokenStrip(QPainter& painter, const QSize& size);
  void paintTokenStrip(QPainter& p, const QRectF& plot, double top) const;
  // The bundle of every unit for the chart's current axes, `pixels` large.
  TrajectoryBundleRequest bundleRequest(const QSize& pixels) const;
  void requestBundle();  // one render at a time; a request meanwhile cancels it and follows it
  void onBundleRendered();

  std::shared_ptr<const HeatmapData> data_;
  QStringList tokens_;
  std::vector<int> units_;
  int currentUnit_ = -1;
  long first_ = 0, end_ = 0;
  IndexSpan brush_;
  double threshold_ = 0.3;
  bool draggingThreshold_ = false;
  std::vector<QLineSeries*> lines_;  // owned by the chart
  QLineSeries* thresholdLine_ = nullptr;
  QLineSeries* brushLeft_ = nullptr;
  QLineSeries* brushRight_ = nullptr;
  QValueAxis* axisX_ = nullptr;
  QValueAxis* axisY_ = nullptr;
  QImage bundle_;  // the last bundle rendered
  QFutureWatcher<QImage> bundleWatcher_;
  std::shared_ptr<std::atomic<bool>> bundleCancel_;
  bool bundleWanted_ = false;  // asked again while rendering
};

}  // namespace lstmscope::viz
