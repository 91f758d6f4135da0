#include "viz/score_lines_chart.h"

#include <QPainter>
#include <QPen>
#include <QTextStream>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "viz/chart_figure.h"
#include "viz/csv.h"

namespace lstmscope::viz {

ScoreLinesChart::ScoreLinesChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  // Legend at the side and thin margins: in a short dock every pixel of height goes to the plot.
  chart()->legend()->setAlignment(Qt::AlignRight);
  chart()->setMargins(QMargins(4, 2, 4, 2));
  setMinimumSize(120, 60);
}

void ScoreLinesChart::clear(const QString& message) {
  chart()->removeAllSeries();
  for (QAbstractAxis* a : chart()->axes()) chart()->removeAxis(a), delete a;
  chart()->setTitle(message);
  chart()->legend()->hide();
  content_ = ScoreChartContent{};
  content_.title = message;
}

void ScoreLinesChart::setContent(ScoreChartContent content) {
  clear(content.title);
  content_ = std::move(content);
  const ScoreChartContent& c = content_;
  // The points drawn: finite, x > 0 on a log axis, below the floor at the floor.
  const auto drawn = [&c](QPointF p, QPointF& out) {
    if (!std::isfinite(p.y()) || (c.logX && !(p.x() > 0))) return false;
    out = QPointF(p.x(), std::max(p.y(), c.yFloor));
    return true;
  };
  double xLow = std::numeric_limits<double>::infinity(), xHigh = -xLow, yLow = xLow, yHigh = -xLow;
  bool floored = false;
  for (const ScoreLine& line : c.lines)
    for (const QPointF& p : line.points)
      if (QPointF q; drawn(p, q)) {
        floored |= p.y() < c.yFloor;
        xLow = std::min(xLow, q.x()), xHigh = std::max(xHigh, q.x());
        yLow = std::min(yLow, q.y()), yHigh = std::max(yHigh, q.y());
      }
  if (!std::isfinite(xLow)) {
    const QString title = c.title + QObject::tr(" — nothing to draw");
    clear(title);
    return;
  }
  std::vector<ScoreReference> references;
  for (const ScoreReference& r : c.references)
    if (std::isfinite(r.y) && r.y >= c.yFloor)
      references.push_back(r), yLow = std::min(yLow, r.y), yHigh = std::max(yHigh, r.y);
  std::vector<QAbstractSeries*> series;
  for (const ScoreLine& line : c.lines) {
    auto* s = new QLineSeries();
    s->setName(line.name);
    QPen pen(line.colour, 2);
    if (line.dashed) pen.setStyle(Qt::DashLine);
    s->setPen(pen);
    s->setPointsVisible(true);
    for (const QPointF& p : line.points)
      if (QPointF q; drawn(p, q)) s->append(q);
    series.push_back(s);
  }
  const bool logX = c.logX && xHigh > 20 * xLow;
  const double xPad = logX ? 0 : std::max(0.05 * (xHigh - xLow), 0.3);
  for (const ScoreReference& r : references) {
    auto* s = new QLineSeries();
    s->setName(QStringLiteral("%1 (%2)").arg(r.name).arg(r.y, 0, 'g', 3));
    s->setPen(QPen(QColor(110, 110, 110), 1.5, Qt::DotLine));
    s->append(xLow - xPad, r.y), s->append(xHigh + xPad, r.y);
    series.push_back(s);
  }
  for (QAbstractSeries* s : series) chart()->addSeries(s);

  QAbstractAxis* x = nullptr;
  if (!c.xNames.empty()) {
    auto* named = new QCategoryAxis();
    named->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    for (size_t k = 0; k < c.xNames.size(); ++k) named->append(c.xNames[k], static_cast<double>(k));
    named->setRange(xLow - xPad, xHigh + xPad);
    x = named;
  } else if (logX) {  // within a decade or so a log axis would name one tick: linear then
    auto* logAxis = new QLogValueAxis();
    logAxis->setBase(10);
    logAxis->setMinorTickCount(8);
    logAxis->setLabelFormat(QStringLiteral("%g"));
    logAxis->setRange(xLow / 1.3, xHigh * 1.3);
    x = logAxis;
  } else {
    auto* values = new QValueAxis();
    values->setRange(xLow - xPad, xHigh + xPad);
    values->applyNiceNumbers();
    values->setLabelFormat(QStringLiteral("%g"));
    x = values;
  }
  x->setTitleText(c.xTitle);
  auto* y = new QValueAxis();
  const double yPad = std::max(0.05 * (yHigh - yLow), 0.02);
  y->setRange(yLow - yPad, yHigh + yPad);
  y->applyNiceNumbers();
  y->setTitleText(floored ? QObject::tr("%1 (below %2: drawn at %2)").arg(c.yTitle).arg(c.yFloor) : c.yTitle);
  chart()->addAxis(x, Qt::AlignBottom);
  chart()->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : series) s->attachAxis(x), s->attachAxis(y);
  // The references span the whole axis, as rounded to nice numbers.
  double xMin = xLow - xPad, xMax = xHigh + xPad;
  if (auto* v = qobject_cast<QValueAxis*>(x)) xMin = v->min(), xMax = v->max();
  if (auto* v = qobject_cast<QLogValueAxis*>(x)) xMin = v->min(), xMax = v->max();
  for (size_t k = 0; k < references.size(); ++k)
    static_cast<QLineSeries*>(series[c.lines.size() + k])
        ->replace({QPointF(xMin, references[k].y), QPointF(xMax, references[k].y)});
  chart()->legend()->show();
}

void ScoreLinesChart::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  painter.save();
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  renderChart(*this, painter, size);
  painter.restore();
}

void ScoreLinesChart::writeCsv(QTextStream& out) const {
  out << "series,x,y\n";
  for (const ScoreLine& line : content_.lines)
    for (const QPointF& p : line.points) {
      const long k = std::lround(p.x());
      const bool named = !content_.xNames.empty() && k >= 0 && k < static_cast<long>(content_.xNames.size());
      out << csvText(line.name) << ','
          << (named ? csvText(content_.xNames[static_cast<size_t>(k)]) : QString::number(p.x(), 'g', 17)) << ','
          << QString::number(p.y(), 'g', 17) << '\n';
    }
  for (const ScoreReference& r : content_.references)
    out << csvText(r.name) << ",," << QString::number(r.y, 'g', 17) << '\n';
}

}  // namespace lstmscope::viz
