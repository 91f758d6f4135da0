#include "viz/trajectory_plot.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "viz/heatmap_data.h"
#include "viz/heatmap_renderer.h"
#include "viz/line_spans.h"
#include "viz/palette.h"
#include "viz/token_text.h"

namespace lstmscope::viz {
namespace {

const QColor kAxisColour(60, 60, 60);
const QColor kGridColour(228, 228, 228);
const QColor kBrushColour(255, 176, 0);
const QColor kThresholdColour(200, 0, 0);
const QColor kBundleColour(60, 60, 60);

// A tick value as text: 0 for the rounding noise of multiples (0.1 * 3 - 0.3), at most 4 digits.
QString tickLabel(double value, double spacing) {
  return QString::number(std::abs(value) < 1e-9 * spacing ? 0.0 : value, 'g', 4);
}

// Appends the steps of one pixel column to `line` in step order: its first, lowest, highest and last.
void appendColumn(const Mat<float>& values, int unit, long k0, long k1, const TrajectoryAxes& axes,
                  std::vector<QPolygonF>& parts, bool& broken) {
  long lowest = -1, highest = -1;
  for (long k = k0; k < k1; ++k) {
    const float v = values(unit, k);
    if (!std::isfinite(v)) {  // a gap: what was drawn so far ends here
      broken = true;
      continue;
    }
    if (lowest < 0 || v < values(unit, lowest)) lowest = k;
    if (highest < 0 || v > values(unit, highest)) highest = k;
  }
  if (lowest < 0) return;
  long picks[4] = {k0, lowest, highest, k1 - 1};
  std::sort(std::begin(picks), std::end(picks));
  for (int j = 0; j < 4; ++j) {
    const long k = picks[j];
    const float v = values(unit, k);
    if ((j > 0 && k == picks[j - 1]) || !std::isfinite(v)) continue;
    if (broken || parts.empty()) parts.emplace_back(), broken = false;
    parts.back().append(QPointF(axes.xOf(static_cast<double>(k)), axes.yOf(v)));
  }
}

}  // namespace

TrajectoryLayout TrajectoryLayout::forSize(const QSizeF& size, const QFontMetrics& fm, bool legend, bool tokenStrip) {
  TrajectoryLayout l;
  const double line = fm.height();
  l.title = QRectF(0, 0, size.width(), line + 6);
  double top = l.title.bottom();
  if (tokenStrip) l.tokenStrip = QRectF(0, top, size.width(), line + 8), top = l.tokenStrip.bottom();
  const double yTitle = line + 4, yLabels = fm.horizontalAdvance(QStringLiteral("-0.000")) + 8;
  const double legendWidth = legend ? fm.horizontalAdvance(QStringLiteral("unit 00000")) + 30 : 12;
  // A narrow figure (a journal's column) puts the legend in a row under the plot, not beside it.
  const bool legendBelow = legend && legendWidth > 0.22 * size.width();
  const double bottom = 2 * line + 8, below = legendBelow ? line + 6 : 0;
  const double left = yTitle + yLabels;
  const double right = legendBelow ? 12 : legendWidth;
  l.plot = QRectF(left, top + 4, std::max(1.0, size.width() - left - right),
                  std::max(1.0, size.height() - top - 4 - bottom - below));
  l.yAxis = QRectF(0, l.plot.top(), left, l.plot.height());
  l.xAxis = QRectF(l.plot.left(), l.plot.bottom(), l.plot.width(), bottom);
  l.legend = legendBelow ? QRectF(l.plot.left(), l.xAxis.bottom(), l.plot.width(), below)
                         : QRectF(l.plot.right() + 8, l.plot.top(), std::max(0.0, legendWidth - 8), l.plot.height());
  return l;
}

TrajectoryBundleRequest bundleRequestFor(const TrajectoryAxes& axes, QSize pixels, int units,
                                         TrajectoryBackground background, double opacity) {
  TrajectoryBundleRequest r;
  r.size = pixels;
  // The bundle puts step k's vertex at k + 0.5.
  r.firstStep = axes.firstStep + 0.5, r.visibleSteps = axes.lastStep - axes.firstStep;
  r.low = axes.low, r.high = axes.high;
  if (background != TrajectoryBackground::Nothing) {
    r.units.resize(static_cast<size_t>(std::max(0, units)));
    for (int u = 0; u < units; ++u) r.units[static_cast<size_t>(u)] = u;
  }
  r.envelope = background == TrajectoryBackground::Envelope;
  r.opacity = opacity > 0 ? opacity : r.envelope ? 0.3 : bundleOpacityFor(units);
  r.colour = kBundleColour.rgb();
  return r;
}

std::vector<QPolygonF> unitLine(const HeatmapData& data, int unit, const TrajectoryAxes& axes, double pixelsPerPoint) {
  std::vector<QPolygonF> parts;
  if (unit < 0 || unit >= data.units() || data.steps() == 0 || axes.plot.width() <= 0) return parts;
  const Mat<float>& values = data.values();
  // One step beyond each edge, so the line runs to the plot's border (the painter clips it).
  const long first = std::max(0L, static_cast<long>(std::floor(axes.firstStep)) - 1);
  const long end = std::min(data.steps(), static_cast<long>(std::ceil(axes.lastStep)) + 2);
  const double columns = std::max(1.0, axes.plot.width() / pixelsPerPoint);
  const double stepsPerColumn = (axes.lastStep - axes.firstStep) / columns;
  bool broken = true;
  if (stepsPerColumn <= 2) {  // every step is a vertex
    for (long k = first; k < end; ++k) appendColumn(values, unit, k, k + 1, axes, parts, broken);
    return parts;
  }
  for (long k0 = first; k0 < end;) {
    const double column = std::floor((static_cast<double>(k0) - axes.firstStep) / stepsPerColumn);
    const long k1 =
        std::clamp(static_cast<long>(std::ceil(axes.firstStep + (column + 1) * stepsPerColumn)), k0 + 1, end);
    appendColumn(values, unit, k0, k1, axes, parts, broken);
    k0 = k1;
  }
  return parts;
}

void paintAxes(QPainter& p, const TrajectoryLayout& layout, const TrajectoryAxes& axes, const QString& valueLabel) {
  const QFontMetrics fm = p.fontMetrics();
  const QRectF& plot = axes.plot;
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  // Values at round numbers (0.25, 0.5 ...) and steps at round numbers (2060, 2070 ...), whatever the window.
  const double valueStep = niceDecimalStep((axes.high - axes.low) / std::max(2.0, plot.height() / (2.5 * fm.height())));
  const double stepStep = niceTickStep(plot.width() / std::max(1e-9, axes.lastStep - axes.firstStep),
                                       fm.horizontalAdvance(QStringLiteral("000000")) + 8);
  for (double v = std::ceil(axes.low / valueStep) * valueStep; v <= axes.high + 1e-9 * valueStep; v += valueStep) {
    const double y = axes.yOf(v);
    p.setPen(kGridColour);
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    p.setPen(kAxisColour);
    p.drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y));
    p.drawText(QRectF(layout.yAxis.left(), y - fm.height() / 2.0, layout.yAxis.width() - 6, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, tickLabel(v, valueStep));
  }
  for (double s = std::ceil(axes.firstStep / stepStep) * stepStep; s <= axes.lastStep; s += stepStep) {
    const double x = axes.xOf(s);
    p.setPen(kGridColour);
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    p.setPen(kAxisColour);
    p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
    const QString label = QString::number(static_cast<long long>(std::llround(s)));
    p.drawText(QRectF(x - 60, plot.bottom() + 4, 120, fm.height()), Qt::AlignHCenter | Qt::AlignTop, label);
  }
  p.setPen(kAxisColour);
  p.setBrush(Qt::NoBrush);
  p.drawRect(plot);
  p.drawText(QRectF(plot.left(), plot.bottom() + 4 + fm.height(), plot.width(), fm.height() + 4), Qt::AlignCenter,
             QCoreApplication::translate("TrajectoryPlot", "step"));
  p.translate(2, plot.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignCenter,
             fm.elidedText(valueLabel, Qt::ElideRight, static_cast<int>(plot.height())));
  p.restore();
}

void paintBrush(QPainter& p, const TrajectoryAxes& axes, IndexSpan brush, long offBefore, long offAfter) {
  if (brush.size() <= 0) return;
  const QRectF& plot = axes.plot;
  // A step's band reaches half a step either side of its vertex.
  const auto band = [&](double from, double to) {
    return QRectF(QPointF(axes.xOf(from - 0.5), plot.top()), QPointF(axes.xOf(to - 0.5), plot.bottom())) & plot;
  };
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  p.fillRect(band(brush.first, brush.end), QColor(kBrushColour.red(), kBrushColour.green(), kBrushColour.blue(), 55));
  const QRectF before = band(brush.first - offBefore, brush.first), after = band(brush.end, brush.end + offAfter);
  const QColor off(120, 120, 120, 30);
  if (offBefore > 0) p.fillRect(before, off);
  if (offAfter > 0) p.fillRect(after, off);
  // Whiskers along the bottom: the off margins end in a short upright mark.
  p.setPen(QPen(QColor(120, 120, 120), 1.5));
  const double y = plot.bottom() - 6;
  if (offBefore > 0 && !before.isEmpty()) {
    p.drawLine(QPointF(before.left(), y), QPointF(before.right(), y));
    p.drawLine(QPointF(before.left(), y - 4), QPointF(before.left(), y + 4));
  }
  if (offAfter > 0 && !after.isEmpty()) {
    p.drawLine(QPointF(after.left(), y), QPointF(after.right(), y));
    p.drawLine(QPointF(after.right(), y - 4), QPointF(after.right(), y + 4));
  }
  p.setPen(QPen(kBrushColour.darker(110), 2));
  const QRectF inside = band(brush.first, brush.end);
  if (!inside.isEmpty()) {
    if (inside.left() > plot.left()) p.drawLine(inside.topLeft(), inside.bottomLeft());
    if (inside.right() < plot.right()) p.drawLine(inside.topRight(), inside.bottomRight());
  }
  p.restore();
}

void paintThreshold(QPainter& p, const TrajectoryAxes& axes, double threshold) {
  const double y = axes.yOf(threshold);
  if (y < axes.plot.top() - 0.5 || y > axes.plot.bottom() + 0.5) return;
  p.save();
  p.setPen(QPen(kThresholdColour, 1.5, Qt::DashLine));
  p.drawLine(QPointF(axes.plot.left(), y), QPointF(axes.plot.right(), y));
  p.restore();
}

void drawSelectedLines(QImage& image, const HeatmapData& data, const TrajectoryAxes& imageAxes,
                       const std::vector<int>& units, int boldUnit, double pixelRatio) {
  for (size_t k = units.size(); k-- > 0;) {
    const double width = (units[k] == boldUnit ? 2 : 1) * kTrajectoryLineWidth * pixelRatio;
    drawLineSpans(image, data.values(), units[k], imageAxes.firstStep, imageAxes.lastStep, imageAxes.low,
                  imageAxes.high, selectedLineColour(static_cast<int>(k)).rgb(), width);
  }
}

void paintSelectedLines(QPainter& p, const HeatmapData& data, const TrajectoryAxes& axes, const std::vector<int>& units,
                        int boldUnit, double pixelsPerPoint) {
  p.save();
  p.setClipRect(axes.plot);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(Qt::NoBrush);
  // The first line is drawn last, on top: it is the current unit or the best match.
  for (size_t k = units.size(); k-- > 0;) {
    const int unit = units[k];
    QPen pen(selectedLineColour(static_cast<int>(k)),
             unit == boldUnit ? 2 * kTrajectoryLineWidth : kTrajectoryLineWidth);
    pen.setJoinStyle(Qt::RoundJoin);
    p.setPen(pen);
    for (const QPolygonF& part : unitLine(data, unit, axes, pixelsPerPoint)) p.drawPolyline(part);
  }
  p.restore();
}

void paintVectorBackground(QPainter& p, const HeatmapData& data, const TrajectoryAxes& axes,
                           TrajectoryBackground background, double opacity) {
  if (background == TrajectoryBackground::Nothing || data.steps() == 0) return;
  const TrajectoryBundleRequest r =
      bundleRequestFor(axes, QSize(1, 1), static_cast<int>(data.units()), background, opacity);
  QColor colour = kBundleColour;
  colour.setAlphaF(static_cast<float>(r.opacity));
  p.save();
  p.setClipRect(axes.plot);
  p.setRenderHint(QPainter::Antialiasing);
  if (background == TrajectoryBackground::EveryUnit) {
    // Thin translucent strokes: overlapping lines darken each other in the viewer as they do on screen.
    // Two points per unit of width keep a thousand lines at a few MB.
    p.setPen(QPen(colour, 0.6));
    p.setBrush(Qt::NoBrush);
    for (long u = 0; u < data.units(); ++u)
      for (const QPolygonF& part : unitLine(data, static_cast<int>(u), axes, 2.0)) p.drawPolyline(part);
  } else {
    // The envelope: the lowest and the highest unit in each column of one unit's width, as one polygon.
    QPolygonF upper, lower;
    Eigen::VectorXf lo, hi;
    const int columns = std::max(1, static_cast<int>(std::ceil(axes.plot.width())));
    for (int c = 0; c <= columns; ++c) {
      const double x = axes.plot.left() + c * axes.plot.width() / columns;
      const long k0 = std::clamp(static_cast<long>(std::floor(axes.stepAt(x - 0.5) + 0.5)), 0L, data.steps() - 1);
      const long k1 = std::clamp(static_cast<long>(std::floor(axes.stepAt(x + 0.5) + 0.5)) + 1, k0 + 1, data.steps());
      minMaxOverSteps(data, k0, k1, lo, hi);
      float a = std::numeric_limits<float>::infinity(), b = -a;
      for (Eigen::Index u = 0; u < lo.size(); ++u)
        if (std::isfinite(lo(u)) && std::isfinite(hi(u))) a = std::min(a, lo(u)), b = std::max(b, hi(u));
      if (!(a <= b)) continue;
      upper.append(QPointF(x, axes.yOf(b)));
      lower.prepend(QPointF(x, axes.yOf(a)));
    }
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawPolygon(upper + lower);
  }
  p.restore();
}

void paintLegend(QPainter& p, const QRectF& area, const std::vector<int>& units) {
  if (units.empty() || area.width() <= 0) return;
  const QFontMetrics fm = p.fontMetrics();
  const bool row = area.height() < 2 * fm.height();  // entries side by side (a narrow figure's legend)
  const auto label = [](int unit) { return QCoreApplication::translate("TrajectoryPlot", "unit %1").arg(unit); };
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  QPointF at(area.left(), area.top() + 2);
  int shown = 0;
  for (; shown < std::min<int>(static_cast<int>(units.size()), TrajectoryLayout::kLegendLines); ++shown) {
    const QString text = label(units[static_cast<size_t>(shown)]);
    const double width = 18 + fm.horizontalAdvance(text) + 12;
    if (row && at.x() + width > area.right()) break;
    p.setPen(QPen(selectedLineColour(shown), 2.5));
    p.drawLine(at + QPointF(0, fm.height() / 2.0), at + QPointF(14, fm.height() / 2.0));
    p.setPen(kAxisColour);
    p.drawText(QRectF(at.x() + 18, at.y(), width, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, text);
    at += row ? QPointF(width, 0) : QPointF(0, fm.height() + 2);
  }
  if (static_cast<int>(units.size()) > shown) {
    p.setPen(kAxisColour);
    p.drawText(
        QRectF(at, QSizeF(std::max(0.0, area.right() - at.x()), fm.height())), Qt::AlignLeft | Qt::AlignVCenter,
        QCoreApplication::translate("TrajectoryPlot", "+ %1 more").arg(units.size() - static_cast<size_t>(shown)));
  }
  p.restore();
}

void paintStepTokens(QPainter& p, const QRectF& area, const TrajectoryAxes& axes, const QStringList& tokens) {
  if (tokens.isEmpty() || !(axes.lastStep > axes.firstStep) || area.isEmpty()) return;
  const QFontMetrics fm = p.fontMetrics();
  const double perStep = axes.plot.width() / (axes.lastStep - axes.firstStep);
  // Every k-th token (k a nice number) so that labels never overlap, judged by a wide character.
  const long every = static_cast<long>(niceTickStep(perStep, fm.horizontalAdvance(QStringLiteral("MM")) + 4));
  p.save();
  p.setPen(kAxisColour);
  const long first = static_cast<long>(std::ceil(axes.firstStep)), last = static_cast<long>(std::floor(axes.lastStep));
  for (long s = first - first % every; s <= last; s += every) {
    if (s < first || s >= tokens.size()) continue;
    const double x = axes.xOf(static_cast<double>(s));
    const QString text = fm.elidedText(tokens[static_cast<qsizetype>(s)], Qt::ElideRight,
                                       static_cast<int>(std::max(perStep * every - 2, 8.0)));
    p.drawText(QPointF(x - fm.horizontalAdvance(text) / 2.0, area.top() + fm.ascent() + 2), text);
    p.drawLine(QPointF(x, axes.plot.top() - 5), QPointF(x, axes.plot.top() - 2));
  }
  p.restore();
}

QColor selectedLineColour(int k) {
  return categoricalColour(k);
}

}  // namespace lstmscope::viz
