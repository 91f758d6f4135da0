// The central heatmap: time along x with the token strip above, one row per unit, a colour bar on the
// right. Frames are rendered off the GUI thread; while a new frame is being made the last one is drawn
// shifted and scaled to the current viewport, so panning and zooming never wait for the renderer.
//
// Mouse: drag to pan; Shift+drag (or drag in the token strip) to brush a step range; click to pick a step
// and a unit; click a unit label to toggle it in the selection; wheel zooms time, Shift+wheel zooms units.
// Keys: Left/Right move the current step, Up/Down the current unit, +/- zoom, Home/End jump, 0 fits all.
#pragma once

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QImage>
#include <QWidget>
#include <memory>
#include <optional>

#include "viz/exportable_view.h"
#include "viz/heatmap_figure.h"

namespace lstmscope::viz {

class HeatmapView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);
  ~HeatmapView() override;

  // New data (a new recording or another layer/quantity). Keeps the step window when the step count is
  // unchanged, else shows everything.
  void setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens);
  void setRowUnits(std::vector<int> rowUnits);  // display order and filter
  void setScale(const ColourScale& scale);
  void setTitle(const QString& title, const QString& valueLabel);
  // The step number the axes give data column 0 (default 0): a map of steps 80-91 is numbered from 80.
  void setFirstStepNumber(long number);
  long firstStepNumber() const { return decor_.firstStepNumber; }
  // Meta tracks under the token strip, one value per step of the data (none: no strips).
  void setMetaStrips(std::vector<MetaStrip> strips);
  const std::vector<MetaStrip>& metaStrips() const { return decor_.meta; }
  void setSelection(IndexSpan steps);
  void setHighlightedUnits(const std::vector<int>& units);
  void setCurrent(long step, int unit);  // -1 for none
  // A unit under the pointer in another view (the trajectories), marked on its row; -1 for none.
  void setHoveredUnit(int unit);
  int hoveredUnit() const { return hoveredUnit_; }
  void showSteps(double first, double count);

  const HeatmapViewport& viewport() const { return viewport_; }
  const std::vector<int>& rowUnits() const { return request_.rowUnits; }
  const ColourScale& scale() const { return request_.scale; }
  QRect plotRect() const { return layout_.plot; }
  bool frameIsCurrent() const;  // the drawn frame matches the current viewport and data
  double lastPaintMs() const { return lastPaintMs_; }
  double lastRenderMs() const { return lastRenderMs_; }
  const std::shared_ptr<const HeatmapData>& data() const { return data_; }

  static constexpr double kReadablePixelsPerStep = 16;  // a new text opens zoomed this far in

  QString figureTitle() const override { return decor_.title; }
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  void writeCsv(QTextStream& out) const override;  // the visible window: one row per step, one column per row

 signals:
  void currentPicked(long step, int unit);
  void rangeBrushed(lstmscope::viz::IndexSpan steps);
  void unitToggled(int unit);
  void hovered(long step, int unit, float value);  // -1 when leaving the data
  // A right click (or the menu key) on a cell (its step and unit) or on a unit's label (step -1); unit -1
  // outside both. `global`: where to open a menu.
  void contextMenuRequested(long step, int unit, QPoint global);
  void viewportChanged();
  void frameReady();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  void viewportEdited();  // after any zoom/pan: repaint now, re-render soon
  void requestFrame();
  void onFrameRendered();
  void updateDecorRows();
  long rowOfUnit(int unit) const;
  void moveCurrent(long dStep, long dRow);
  void paintHoverLabel(QPainter& p);  // token, step, unit and exact value beside the mouse
  // The steps a brush dragged between two x positions (widget coordinates) takes: the cells under both ends
  // and every one between.
  IndexSpan brushedSteps(double pressX, double releaseX) const;

  std::shared_ptr<const HeatmapData> data_;
  HeatmapFrameRequest request_;
  HeatmapViewport& viewport_ = request_.viewport;
  HeatmapDecor decor_;
  HeatmapLayout layout_;
  std::vector<int> highlightedUnits_;
  int hoveredUnit_ = -1;
  int currentUnit_ = -1;

  // The frame on screen and what it was rendered for.
  QImage frame_;
  HeatmapFrameRequest frameRequest_;
  quint64 frameData_ = 0;                // generation of the data it shows
  HeatmapFrameRequest inflightRequest_;  // what the running render was asked for
  quint64 inflightData_ = 0;
  quint64 dataGeneration_ = 0;  // bumped by setData
  QFutureWatcher<QImage> watcher_;
  bool rendering_ = false;
  QElapsedTimer renderClock_;
  double lastPaintMs_ = 0, lastRenderMs_ = 0;

  // Mouse gestures.
  enum class Drag { None, Pan, Brush };
  Drag drag_ = Drag::None;
  QPointF pressPos_, lastPos_;
  bool moved_ = false;
  std::optional<QPointF> hoverPos_;
};

}  // namespace lstmscope::viz
