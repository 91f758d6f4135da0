// LSTMVis's select view: every unit of the layer as a faint line over the steps the heatmap shows (the
// bundle), the selected units on top in colour with the current one bold, the brush and its off margins
// beneath, and the threshold as a line dragged on the plot or the y axis. Hovering a line names its unit
// and value; clicking it makes that unit current.
//
// The bundle and the selected lines are drawn off the GUI thread into one image (the heatmap's job
// mechanism: a new request cancels the running one); a repaint blits it and draws axes, threshold and the
// hovered line. Exported SVG and PDF figures draw every line as a vector (trajectory_plot.h).
#pragma once

#include <QFutureWatcher>
#include <QImage>
#include <QStringList>
#include <QWidget>
#include <atomic>
#include <memory>
#include <optional>

#include "viz/exportable_view.h"
#include "viz/heatmap_viewport.h"
#include "viz/trajectory_pick.h"
#include "viz/trajectory_plot.h"

namespace lstmscope::viz {

class HeatmapData;

class TrajectoryChart : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit TrajectoryChart(QWidget* parent = nullptr);
  ~TrajectoryChart() override;

  // `tokens` label the steps in figures; `title` names the layer and quantity; `valueLabel` (the quantity
  // alone) labels the y axis.
  void setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens, const QString& title,
               const QString& valueLabel);
  void setUnits(const std::vector<int>& units, int currentUnit);  // lines, the current one drawn bold
  void setWindow(long first, long end);                           // steps shown
  void setBrush(IndexSpan steps, long offBefore = 0, long offAfter = 0);
  void setThreshold(double threshold);
  double threshold() const { return threshold_; }
  // The range a fixed y axis shows (the colour scale's: 0 to 1 for gates, -1 to 1 for tanh c).
  void setQuantityRange(double low, double high);

  // Options of the view (the select dock's "Lines", "Opacity" and "Y axis").
  void setBackground(TrajectoryBackground background);
  TrajectoryBackground background() const { return background_; }
  void setOpacity(double opacity);  // of one faint line; 0 for LSTMVis's 1/sqrt(units)
  double opacity() const { return opacity_; }
  double effectiveOpacity() const;
  void setFitToWindow(bool fit);  // y fitted to the lines in the window, else the quantity's range
  bool fitsToWindow() const { return fitToWindow_; }
  // A unit drawn as if hovered (hovered in the select dock's list or the heatmap); -1 for none.
  void setHighlightedUnit(int unit);
  int highlightedUnit() const { return highlightedUnit_; }

  int lineCount() const { return static_cast<int>(units_.size()); }
  bool bundleShown() const;  // the render of what is asked now is on screen
  bool rendering() const { return watcher_.isRunning(); }
  const TrajectoryAxes& axes() const { return axes_; }  // where steps and values are, in widget coordinates
  LineUnderPointer hoveredLine() const { return hovered_; }
  double lastPaintMs() const { return lastPaintMs_; }

  static constexpr int kMaxLines = 40;  // more selected units are listed, not drawn

  QString figureTitle() const override { return title_; }
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void thresholdDragged(double threshold);
  void stepClicked(long step);
  void unitClicked(long step, int unit);
  void unitHovered(long step, int unit, float value);  // unit -1: no line under the pointer

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  struct ImageJob;
  ImageJob currentJob() const;
  std::vector<int> drawnLines() const;  // the first kMaxLines selected units
  void updateWindowRange();             // the values in the window, for a fitted y axis
  void updateAxes();                    // after any change of size, window, range or threshold
  void requestImage();                  // one render at a time; a request meanwhile cancels it and follows it
  void onImageRendered();
  bool onThresholdGrip(QPointF position) const;
  LineUnderPointer lineAt(QPointF position) const;  // among the lines drawn
  void setHovered(const LineUnderPointer& line);
  void paintHover(QPainter& p, int unit, const LineUnderPointer& at);

  std::shared_ptr<const HeatmapData> data_;
  QStringList tokens_;
  QString title_, valueLabel_;
  std::vector<int> units_;  // selected units (the current one first when not among them)
  int currentUnit_ = -1;
  long first_ = 0, end_ = 0;
  IndexSpan brush_;
  long offBefore_ = 0, offAfter_ = 0;
  double threshold_ = 0.3;
  double quantityLow_ = -1, quantityHigh_ = 1;
  std::optional<std::pair<double, double>> windowRange_;  // lowest and highest value in the window
  bool windowRangeExact_ = true;                          // false: sampled, until a render has built the pyramid
  TrajectoryBackground background_ = TrajectoryBackground::EveryUnit;
  double opacity_ = 0;
  bool fitToWindow_ = true;
  int highlightedUnit_ = -1;
  LineUnderPointer hovered_;
  struct {
    int unit = -1;
    const HeatmapData* data = nullptr;
    TrajectoryAxes axes;
    QImage image;
  } hoverLine_;  // the hovered (or highlighted) line, drawn once per line and axes
  QPointF pointer_;
  bool draggingThreshold_ = false;
  double dragLow_ = 0, dragHigh_ = 0;  // the values at the plot's edges when the drag began
  TrajectoryLayout layout_;
  TrajectoryAxes axes_;
  QImage image_;                     // bundle and selected lines, drawn for shown_
  std::unique_ptr<ImageJob> shown_;  // what image_ shows (its axes have the plot at the origin)
  QFutureWatcher<QImage> watcher_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::unique_ptr<ImageJob> running_;  // what the watcher renders
  bool wanted_ = false;                // asked again while rendering
  double lastPaintMs_ = 0;
};

}  // namespace lstmscope::viz
