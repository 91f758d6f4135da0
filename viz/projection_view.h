// The state trajectory: the hidden or cell state at every step projected on its first two principal
// components, joined in time order; points of the brushed range are labelled with their tokens, the
// current step is marked. Hover reports a step, a click picks it.
#pragma once

#include <QStringList>
#include <QtCharts/QChartView>
#include <memory>

#include "viz/exportable_view.h"
#include "viz/heatmap_viewport.h"

class QLineSeries;

namespace lstmscope {
struct Projection;
}

namespace lstmscope::viz {

class ChartMarkers;

class ProjectionView : public QChartView, public ExportableView {
  Q_OBJECT
 public:
  explicit ProjectionView(QWidget* parent = nullptr);

  void setProjection(std::shared_ptr<const Projection> projection, const QStringList& tokens, const QString& what);
  void setCurrentStep(long step);
  void setSelection(IndexSpan steps);
  const Projection* projection() const { return projection_.get(); }
  long pointStride() const { return stride_; }  // every stride-th step is drawn

  static constexpr long kMaxPoints = 5000;
  static constexpr long kMaxLabels = 60;

  QString figureTitle() const override { return chart()->title(); }
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  void writeCsv(QTextStream& out) const override;

 signals:
  void stepHovered(long step);
  void stepClicked(long step);

 private:
  long nearestStep(const QPointF& value) const;
  void updateMarks();
  void placeLabels();

  std::shared_ptr<const Projection> projection_;
  QStringList tokens_;
  long stride_ = 1;
  long current_ = -1;
  IndexSpan selection_;
  QLineSeries* path_ = nullptr;
  ChartMarkers* points_ = nullptr;
  ChartMarkers* selected_ = nullptr;
  ChartMarkers* currentMark_ = nullptr;
  std::vector<QGraphicsSimpleTextItem*> labels_;
};

}  // namespace lstmscope::viz
