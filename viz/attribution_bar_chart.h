// Attribution as a bar chart (Qt Charts): one signed bar per token, positive and negative in the
// diverging map's two colours, for a window of at most kMaxBars tokens ending at the target's step
// (beyond it a forward model's attributions are zero). Clicking a bar picks that step.
#pragma once

#include <QStringList>
#include <QtCharts/QChartView>
#include <vector>

#include "viz/exportable_view.h"

namespace lstmscope::viz {

class AttributionBarChart : public QChartView, public ExportableView {
  Q_OBJECT
 public:
  explicit AttributionBarChart(QWidget* parent = nullptr);

  static constexpr long kMaxBars = 60;
  void setContent(const QStringList& tokens, const std::vector<double>& values, const QString& title,
                  const QString& valueLabel, long targetStep);
  void clear(const QString& message);
  // The captions of the two label rows under the bars, "token\nstep" unless set (a chart of units: "unit\nrank";
  // of a table's rows: "label\nrow"). `namesBars`: the bars on screen are named by the first caption and
  // their token ("unit 123") rather than by their token and number.
  void setLabelCaptions(const QString& captions, bool namesBars = true) {
    captions_ = captions, captionNamesBars_ = namesBars;
  }
  // The CSV's header: "step,token,attribution" unless the bars are something else (units ranked by effect).
  void setCsvHeader(const QString& header) { csvHeader_ = header; }
  long firstStep() const { return first_; }
  long barCount() const { return static_cast<long>(shown_.size()); }

  QString figureTitle() const override;
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;  // the bars shown: step, token, value

 signals:
  void stepClicked(long step);

 private:
  void renderWithLabels(QPainter& painter, const QSize& size);

  QStringList tokens_;
  std::vector<double> shown_;
  long first_ = 0;
  QString csvHeader_ = QStringLiteral("step,token,attribution");
  static QString defaultCaptions() { return tr("token\nstep"); }
  QString captions_ = defaultCaptions();
  bool captionNamesBars_ = false;
};

}  // namespace lstmscope::viz
