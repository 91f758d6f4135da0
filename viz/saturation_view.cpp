#include "viz/saturation_view.h"

#include <QHBoxLayout>
#include <QPainter>
#include <QTextStream>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>

#include "viz/chart_figure.h"
#include "viz/chart_markers.h"
#include "viz/palette.h"

namespace lstmscope::viz {

SaturationView::SaturationView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  for (size_t g = 0; g < views_.size(); ++g) {
    views_[g] = new QChartView(new QChart(), this);
    views_[g]->setRenderHint(QPainter::Antialiasing);
    views_[g]->chart()->setMargins(QMargins(2, 2, 2, 2));
    views_[g]->chart()->legend()->setVisible(false);
    layout->addWidget(views_[g]);
    buildChart(g);
  }
}

void SaturationView::buildChart(size_t g) {
  QChart* chart = views_[g]->chart();
  auto* x = new QValueAxis(chart);
  auto* y = new QValueAxis(chart);
  x->setRange(0, 1), y->setRange(0, 1);
  // Axis titles are rich text: "<" must be an entity.
  x->setTitleText(tr("fraction &lt; 0.1")), y->setTitleText(tr("fraction &gt; 0.9"));
  x->setTickCount(3), y->setTickCount(3);
  x->setLabelFormat(QStringLiteral("%.1f")), y->setLabelFormat(QStringLiteral("%.1f"));
  chart->addAxis(x, Qt::AlignBottom), chart->addAxis(y, Qt::AlignLeft);
  // The diagonal x + y = 1: units on it are saturated all the time.
  GateChart& c = charts_[g];
  c.diagonal = new QLineSeries(chart);
  c.diagonal->append(0, 1), c.diagonal->append(1, 0);
  c.diagonal->setPen(QPen(Qt::lightGray, 1, Qt::DashLine));
  chart->addSeries(c.diagonal);
  c.diagonal->attachAxis(x), c.diagonal->attachAxis(y);
  for (int d = 0; d < static_cast<int>(c.units.size()); ++d) {
    ChartMarkers* units = new ChartMarkers(chart, c.diagonal, categoricalColour(d), Qt::transparent, 6);
    units->setInteractive(true);
    connect(units, &ChartMarkers::clicked, this, [this, g, d](const QPointF& p) {
      if (!table_ || d >= static_cast<int>((*table_)[layer_][g].size())) return;
      // The unit whose point is nearest the click.
      const auto& s = (*table_)[layer_][g][static_cast<size_t>(d)];
      size_t best = 0;
      double bestDistance = 1e9;
      for (size_t u = 0; u < s.size(); ++u)
        if (const double dist = std::hypot(s[u].left - p.x(), s[u].right - p.y()); dist < bestDistance)
          best = u, bestDistance = dist;
      emit unitPicked(static_cast<int>(best));
    });
    c.units[static_cast<size_t>(d)] = units;
  }
  c.highlighted = new ChartMarkers(chart, c.diagonal, QColor(230, 160, 0), Qt::black, 11);
}

void SaturationView::setStatistics(std::shared_ptr<const SaturationTable> table, std::vector<LayerSpec> layers) {
  table_ = std::move(table);
  layers_ = std::move(layers);
  if (layer_ >= static_cast<int>(layers_.size())) layer_ = 0;
  rebuild();
}

void SaturationView::setLayer(int layer) {
  if (layer == layer_) return;
  layer_ = layer;
  rebuild();
}

void SaturationView::setHighlightedUnits(const std::vector<int>& units) {
  highlighted_ = units;
  rebuild();
}

const QList<QPointF>& SaturationView::points(int gate, int direction) const {
  return charts_[static_cast<size_t>(gate)].units[static_cast<size_t>(direction)]->points();
}

void SaturationView::rebuild() {
  for (size_t g = 0; g < kGates.size(); ++g) {
    views_[g]->chart()->setTitle(tr("%1 gate, layer %2").arg(QLatin1String(quantityName(kGates[g]))).arg(layer_));
    GateChart& c = charts_[g];
    QList<QPointF> marked;
    for (size_t d = 0; d < c.units.size(); ++d) {
      QList<QPointF> points;
      if (table_ && d < (*table_)[layer_][g].size()) {
        const auto& s = (*table_)[layer_][g][d];
        points.reserve(static_cast<qsizetype>(s.size()));
        for (const Saturation& unit : s) points.append(QPointF(unit.left, unit.right));
        for (const int u : highlighted_)
          if (u >= 0 && u < static_cast<int>(s.size())) marked.append(points[u]);
      }
      c.units[d]->setPoints(std::move(points));
    }
    c.highlighted->setPoints(std::move(marked));
  }
}

namespace {

// Narrower than this (logical units, 1/96 inch) a gate's panel cannot hold its axis titles: the figure
// stacks the panels instead of setting them side by side (a single journal column is about 336).
constexpr int kPanelMinWidth = 220;

}  // namespace

int SaturationView::figureHeightForWidth(int width) const {
  // Side by side when they fit, each about as tall as wide; else one above the other.
  const int panels = static_cast<int>(views_.size());
  return width >= panels * kPanelMinWidth ? width / panels : panels * width * 3 / 4;
}

void SaturationView::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  const int panels = static_cast<int>(views_.size());
  const bool sideBySide = size.width() >= panels * kPanelMinWidth;
  const QSize panel =
      sideBySide ? QSize(size.width() / panels, size.height()) : QSize(size.width(), size.height() / panels);
  for (int g = 0; g < panels; ++g) {
    painter.save();
    painter.translate(sideBySide ? g * panel.width() : 0, sideBySide ? 0 : g * panel.height());
    renderChart(*views_[static_cast<size_t>(g)], painter, panel);
    painter.restore();
  }
}

void SaturationView::writeCsv(QTextStream& out) const {
  out << "layer,direction,unit";
  for (const Quantity q : kGates) out << ',' << quantityName(q) << "_left," << quantityName(q) << "_right";
  out << '\n';
  if (!table_) return;
  const auto& stats = statistics();
  // A gate a trace did not record has no statistics: its fields stay empty.
  for (size_t d = 0; d < stats[0].size(); ++d) {
    size_t units = 0;
    for (size_t g = 0; g < kGates.size(); ++g) units = std::max(units, stats[g][d].size());
    for (size_t u = 0; u < units; ++u) {
      out << layer_ << ',' << directionName(layers_[static_cast<size_t>(layer_)], static_cast<int>(d)) << ',' << u;
      for (size_t g = 0; g < kGates.size(); ++g)
        if (u < stats[g][d].size())
          out << ',' << QString::number(stats[g][d][u].left, 'g', 9) << ','
              << QString::number(stats[g][d][u].right, 'g', 9);
        else
          out << ",,";
      out << '\n';
    }
  }
}

}  // namespace lstmscope::viz
