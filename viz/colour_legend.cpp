#include "viz/colour_legend.h"

#include <QFontMetrics>
#include <QPainter>
#include <algorithm>

#include "viz/colour_map.h"

namespace lstmscope::viz {
namespace {

constexpr int kBarHeight = 10;
constexpr int kTickLength = 3;

}  // namespace

void paintColourBands(QPainter& p, const QRect& bar, const ColourMap& map, Qt::Orientation orientation) {
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  p.setClipRect(bar);
  const bool across = orientation == Qt::Horizontal;
  const double band = static_cast<double>(across ? bar.width() : bar.height()) / ColourMap::kSize;
  const double overlap = std::min(0.5, band / 2);
  for (int i = 0; i < ColourMap::kSize; ++i) {
    const QRectF r = across
                         ? QRectF(bar.left() + i * band, bar.top(), band + overlap, bar.height())
                         : QRectF(bar.left(), bar.bottom() + 1 - (i + 1) * band - overlap, bar.width(), band + overlap);
    p.fillRect(r, QColor(map.entry(i)));
  }
  p.restore();
}

int colourLegendHeight(const QFontMetrics& metrics) {
  return kBarHeight + kTickLength + metrics.height() + 4;
}

void paintColourLegend(QPainter& p, const QRect& area, const ColourScale& scale, const QString& caption) {
  p.save();
  const QFontMetrics fm = p.fontMetrics();
  const int margin = fm.horizontalAdvance(QStringLiteral("-1.05e+03")) / 2;  // room for the end ticks' labels
  const QRect bar(area.left() + margin, area.top() + 2, std::clamp(area.width() / 3, 40, 200), kBarHeight);
  paintColourBands(p, bar, scale.map(), Qt::Horizontal);
  p.setPen(QColor(60, 60, 60));
  p.setBrush(Qt::NoBrush);
  p.drawRect(bar.adjusted(0, 0, -1, -1));
  for (const double value : {scale.low(), scale.centre(), scale.high()}) {
    const double x = bar.left() + (value - scale.low()) / (scale.high() - scale.low()) * bar.width();
    p.drawLine(QPointF(x, bar.bottom() + 1), QPointF(x, bar.bottom() + kTickLength));
    const QString label = QString::number(value, 'g', 3);
    p.drawText(QPointF(x - fm.horizontalAdvance(label) / 2.0, bar.bottom() + kTickLength + fm.ascent() + 1), label);
  }
  const QRect captionArea(bar.right() + margin + 8, area.top(), area.right() - bar.right() - margin - 8,
                          kBarHeight + 4);
  p.drawText(captionArea, Qt::AlignLeft | Qt::AlignVCenter,
             fm.elidedText(caption, Qt::ElideRight, std::max(0, captionArea.width())));
  p.restore();
}

}  // namespace lstmscope::viz
