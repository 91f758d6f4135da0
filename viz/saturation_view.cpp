#include "viz/saturation_view.h"

#include <QHBoxLayout>
#include <QPainter>
#include <QTextStream>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <cmath>

#include "viz/chart_figure.h"
#include "viz/palette.h"

namespace lstmscope::viz {

SaturationView::SaturationView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  for (QChartView*& v : views_) {
    v = new QChartView(new QChart(), this);
    v->setRenderHint(QPainter::Antialiasing);
    v->chart()->setMargins(QMargins(2, 2, 2, 2));
    v->chart()->legend()->setVisible(false);
    layout->addWidget(v);
  }
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

void SaturationView::rebuild() {
  for (size_t g = 0; g < kGates.size(); ++g) {
    QChart* chart = views_[g]->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) chart->removeAxis(a), delete a;
    chart->setTitle(tr("%1 gate, layer %2").arg(QLatin1String(quantityName(kGates[g]))).arg(layer_));
    if (!table_) continue;
    const auto& gateTable = (*table_)[layer_][g];
    auto* x = new QValueAxis(chart);
    auto* y = new QValueAxis(chart);
    x->setRange(0, 1), y->setRange(0, 1);
    // Axis titles are rich text: "<" must be an entity.
    x->setTitleText(tr("fraction &lt; 0.1")), y->setTitleText(tr("fraction &gt; 0.9"));
    x->setTickCount(3), y->setTickCount(3);
    x->setLabelFormat(QStringLiteral("%.1f")), y->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(x, Qt::AlignBottom), chart->addAxis(y, Qt::AlignLeft);
    // The diagonal x + y = 1: units on it are saturated all the time.
    auto* diagonal = new QLineSeries(chart);
    diagonal->append(0, 1), diagonal->append(1, 0);
    diagonal->setPen(QPen(Qt::lightGray, 1, Qt::DashLine));
    chart->addSeries(diagonal);
    diagonal->attachAxis(x), diagonal->attachAxis(y);
    auto* marked = new QScatterSeries(chart);
    marked->setMarkerSize(11), marked->setColor(QColor(230, 160, 0)), marked->setBorderColor(Qt::black);
    for (int d = 0; d < static_cast<int>(gateTable.size()); ++d) {
      auto* points = new QScatterSeries(chart);
      points->setName(QLatin1String(directionName(layers_[static_cast<size_t>(layer_)], d)));
      points->setMarkerSize(6);
      points->setColor(categoricalColour(d));
      points->setBorderColor(Qt::transparent);
      const auto& s = gateTable[d];
      for (size_t u = 0; u < s.size(); ++u) {
        points->append(s[u].left, s[u].right);
        if (std::find(highlighted_.begin(), highlighted_.end(), static_cast<int>(u)) != highlighted_.end())
          marked->append(s[u].left, s[u].right);
      }
      connect(points, &QScatterSeries::clicked, this, [this, g, d](const QPointF& p) {
        // The unit whose point is nearest the click.
        const auto& s = (*table_)[layer_][g][static_cast<size_t>(d)];
        size_t best = 0;
        double bestDistance = 1e9;
        for (size_t u = 0; u < s.size(); ++u)
          if (const double dist = std::hypot(s[u].left - p.x(), s[u].right - p.y()); dist < bestDistance)
            best = u, bestDistance = dist;
        emit unitPicked(static_cast<int>(best));
      });
      chart->addSeries(points);
      points->attachAxis(x), points->attachAxis(y);
    }
    chart->addSeries(marked);
    marked->attachAxis(x), marked->attachAxis(y);
  }
}

void SaturationView::renderFigure(QPainter& painter, const QSize& size) {
  const int w = size.width() / static_cast<int>(views_.size());
  for (size_t g = 0; g < views_.size(); ++g) {
    painter.save();
    painter.translate(static_cast<int>(g) * w, 0);
    renderChart(*views_[g], painter, QSize(w, size.height()));
    painter.restore();
  }
}

void SaturationView::writeCsv(QTextStream& out) const {
  out << "layer,direction,unit";
  for (const Quantity q : kGates) out << ',' << quantityName(q) << "_left," << quantityName(q) << "_right";
  out << '\n';
  if (!table_) return;
  const auto& stats = statistics();
  for (size_t d = 0; d < stats[0].size(); ++d)
    for (size_t u = 0; u < stats[0][d].size(); ++u) {
      out << layer_ << ',' << directionName(layers_[static_cast<size_t>(layer_)], static_cast<int>(d)) << ',' << u;
      for (size_t g = 0; g < kGates.size(); ++g)
        out << ',' << QString::number(stats[g][d][u].left, 'g', 9) << ','
            << QString::number(stats[g][d][u].right, 'g', 9);
      out << '\n';
    }
}

}  // namespace lstmscope::viz
