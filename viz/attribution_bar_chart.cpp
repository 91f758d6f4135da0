#include "viz/attribution_bar_chart.h"

#include <QTextStream>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QStackedBarSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>

#include "viz/chart_figure.h"
#include "viz/colour_map.h"
#include "viz/csv.h"

namespace lstmscope::viz {

AttributionBarChart::AttributionBarChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  chart()->legend()->hide();
  setMinimumSize(120, 60);
}

void AttributionBarChart::clear(const QString& message) {
  chart()->removeAllSeries();
  for (QAbstractAxis* a : chart()->axes()) chart()->removeAxis(a), delete a;
  chart()->setTitle(message);
  shown_.clear();
  tokens_.clear();
}

void AttributionBarChart::setContent(const QStringList& tokens, const std::vector<double>& values, const QString& title,
                                     const QString& valueLabel, long targetStep) {
  clear(title);
  const long T = static_cast<long>(values.size());
  const long end = std::clamp(targetStep + 1, std::min(T, kMaxBars), T);
  first_ = std::max(0L, end - kMaxBars);
  // Two stacked sets so that the signs get their own colours (a bar set has one colour).
  const ColourMap map = ColourMap::named(QStringLiteral("blue-red"));
  auto* positive = new QBarSet(tr("positive"));
  auto* negative = new QBarSet(tr("negative"));
  positive->setColor(QColor(map.entry(ColourMap::kSize - 30)));
  negative->setColor(QColor(map.entry(30)));
  positive->setBorderColor(Qt::transparent), negative->setBorderColor(Qt::transparent);
  QStringList categories;
  double extent = 0;
  for (long s = first_; s < end; ++s) {
    const double v = values[static_cast<size_t>(s)];
    shown_.push_back(v);
    tokens_.push_back(tokens.value(static_cast<qsizetype>(s)));
    *positive << (v > 0 ? v : 0);
    *negative << (v < 0 ? v : 0);
    if (std::isfinite(v)) extent = std::max(extent, std::abs(v));
    // Unique categories: the axis merges equal strings, so each carries its step.
    categories << QStringLiteral("%1\u2009%2").arg(tokens.value(static_cast<qsizetype>(s))).arg(s);
  }
  auto* series = new QStackedBarSeries();
  series->append(positive);
  series->append(negative);
  series->setBarWidth(0.8);
  chart()->addSeries(series);
  auto* x = new QBarCategoryAxis();
  x->append(categories);
  x->setLabelsAngle(-90);
  auto* y = new QValueAxis();
  y->setRange(-1.05 * (extent > 0 ? extent : 1), 1.05 * (extent > 0 ? extent : 1));
  y->setTitleText(valueLabel);
  chart()->addAxis(x, Qt::AlignBottom);
  chart()->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  connect(series, &QStackedBarSeries::clicked, this, [this](int index, QBarSet*) { emit stepClicked(first_ + index); });
}

QString AttributionBarChart::figureTitle() const {
  return chart()->title();
}

void AttributionBarChart::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  renderChart(*this, painter, size);
}

void AttributionBarChart::writeCsv(QTextStream& out) const {
  out << "step,token,attribution\n";
  for (size_t k = 0; k < shown_.size(); ++k)
    out << first_ + static_cast<long>(k) << ',' << csvToken(tokens_.value(static_cast<qsizetype>(k))) << ','
        << QString::number(shown_[k], 'g', 17) << '\n';
}

}  // namespace lstmscope::viz
