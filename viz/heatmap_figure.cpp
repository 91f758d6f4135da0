#include "viz/heatmap_figure.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "viz/colour_legend.h"
#include "viz/heatmap_data.h"
#include "viz/token_text.h"

namespace lstmscope::viz {
namespace {

const QColor kSelectionColour(255, 196, 0);
const QColor kCurrentColour(220, 0, 0);
const QColor kAxisColour(60, 60, 60);

QString formatValue(double v) {
  return QString::number(v, 'g', 3);
}

struct Lab {
  double l, a, b;
};

// sRGB (D65) to CIELAB.
Lab labOf(QRgb c) {
  const auto linear = [](int v) {
    const double x = v / 255.0;
    return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
  };
  const double r = linear(qRed(c)), g = linear(qGreen(c)), b = linear(qBlue(c));
  const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
  return {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
}

// CIE94 with `reference` as the first colour (its chroma weights the differences).
double cie94(const Lab& reference, const Lab& other) {
  const double c1 = std::hypot(reference.a, reference.b), c2 = std::hypot(other.a, other.b);
  const double dl = reference.l - other.l, dc = c1 - c2;
  const double da = reference.a - other.a, db = reference.b - other.b;
  const double dh2 = std::max(0.0, da * da + db * db - dc * dc);
  const double sc = 1 + 0.045 * c1, sh = 1 + 0.015 * c1;
  return std::sqrt(dl * dl + (dc / sc) * (dc / sc) + dh2 / (sh * sh));
}

}  // namespace

double keptInside(double centre, double top, double bottom, double height) {
  // Only a centre inside the span moves, and only when the span has room for the label.
  if (centre < top || centre > bottom || bottom - top < height) return centre;
  return std::clamp(centre, top + height / 2, bottom - height / 2);
}

double colourDifference(QRgb colour, QRgb reference) {
  return cie94(labOf(reference), labOf(colour));
}

QColor markColourFor(const ColourMap& map) {
  // Green is left out: it is the NaN colour.
  static const QRgb candidates[] = {qRgb(230, 0, 0),   qRgb(255, 0, 255), qRgb(0, 255, 255),
                                    qRgb(255, 0, 128), qRgb(0, 0, 0),     qRgb(255, 255, 255)};
  QRgb best = candidates[0];
  double bestDistance = -1;
  for (const QRgb candidate : candidates) {
    double nearest = colourDifference(candidate, ColourScale::nanColour);
    for (const QRgb entry : map.table()) nearest = std::min(nearest, colourDifference(candidate, entry));
    if (nearest > bestDistance) best = candidate, bestDistance = nearest;
  }
  return QColor(best);
}

HeatmapLayout HeatmapLayout::forSize(const QSize& size, const QFontMetrics& fm, AxisTitles axisTitles, int metaStrips) {
  const int line = fm.height();
  const int titleRoom = axisTitles == AxisTitles::Drawn ? line + 2 : 0;  // "unit" (turned) and "step"
  const int left = fm.horizontalAdvance(QStringLiteral("unit 0000")) + 8 + titleRoom;
  const int right = fm.horizontalAdvance(QStringLiteral("-1.05e+03")) + 34;
  HeatmapLayout l;
  l.title = QRect(0, 0, size.width(), line + 4);
  l.tokens = QRect(left, l.title.bottom() + 1, size.width() - left - right, 2 * line + 6);
  l.meta = QRect(left, l.tokens.bottom() + 1, l.tokens.width(), metaStrips * kMetaStripHeight);
  const int plotTop = l.tokens.bottom() + 1 + l.meta.height() + (metaStrips > 0 ? 2 : 0);
  const int stepAxisHeight = line + 8 + titleRoom;
  l.plot = QRect(left, plotTop, l.tokens.width(), std::max(1, size.height() - plotTop - stepAxisHeight));
  l.unitAxis = QRect(titleRoom, plotTop, left - titleRoom, l.plot.height());
  l.stepAxis = QRect(left, l.plot.bottom() + 1, l.plot.width(), stepAxisHeight - titleRoom);
  if (axisTitles == AxisTitles::Drawn) {
    l.unitTitle = QRect(0, plotTop, titleRoom, l.plot.height());
    l.stepTitle = QRect(left, l.stepAxis.bottom() + 1, l.plot.width(), titleRoom);
  }
  l.colourBar = QRect(l.plot.right() + 10, plotTop, right - 12, l.plot.height());
  return l;
}

void paintAxisTitles(QPainter& p, const HeatmapLayout& layout) {
  if (layout.stepTitle.isEmpty()) return;
  p.save();
  p.setPen(kAxisColour);
  p.drawText(layout.stepTitle, Qt::AlignHCenter | Qt::AlignBottom,
             QCoreApplication::translate("HeatmapFigure", "step"));
  // The unit axis' title reads bottom to top along the axis.
  p.translate(layout.unitTitle.left(), layout.unitTitle.center().y());
  p.rotate(-90);
  p.drawText(QRect(-layout.unitTitle.height() / 2, 0, layout.unitTitle.height(), layout.unitTitle.width()),
             Qt::AlignHCenter | Qt::AlignTop, QCoreApplication::translate("HeatmapFigure", "unit"));
  p.restore();
}

void paintTokenStrip(QPainter& p, const QRect& area, const HeatmapViewport& vp, const HeatmapDecor& decor) {
  p.save();
  p.setClipRect(area);
  const QFontMetrics fm = p.fontMetrics();
  const double pps = vp.pixelsPerStep();
  const long first = std::max(0L, static_cast<long>(std::floor(vp.firstStep)));
  const long end = std::min<long>(vp.steps, static_cast<long>(std::ceil(vp.firstStep + vp.visibleSteps)));
  // Thin the labels so that they never overlap: every k-th token, k a nice number, judged by the widest
  // of (up to 200 sampled) visible tokens, capped at four wide characters (longer words are elided).
  int widest = fm.horizontalAdvance(QLatin1Char('M'));
  const long sampleStride = std::max(1L, (end - first) / 200);
  for (long s = first; s < end && s < decor.tokens.size(); s += sampleStride)
    widest = std::max(widest, fm.horizontalAdvance(decor.tokens[static_cast<qsizetype>(s)]));
  widest = std::min(widest, fm.horizontalAdvance(QStringLiteral("MMMM")));
  const long every = pps >= widest + 1 ? 1 : static_cast<long>(niceTickStep(pps, widest + 4));
  if (decor.selection.size() > 0) {
    const double x0 = vp.xOfStep(decor.selection.first), x1 = vp.xOfStep(decor.selection.end);
    p.fillRect(QRectF(area.left() + x0, area.top(), x1 - x0, area.height()),
               QColor(kSelectionColour.red(), kSelectionColour.green(), kSelectionColour.blue(), 90));
  }
  p.setPen(kAxisColour);
  const int baseline = area.top() + fm.ascent() + 3;
  for (long s = first - first % every; s < end; s += every) {
    if (s < 0 || s >= decor.tokens.size()) continue;
    const double cx = area.left() + vp.xOfStep(s + 0.5);
    if (cx < area.left() || cx > area.right()) continue;  // its cell is (mostly) scrolled out
    QString text = decor.tokens[static_cast<qsizetype>(s)];
    const double spacing = pps * every;
    const int maxWidth = static_cast<int>(spacing) - 2;
    if (fm.horizontalAdvance(text) > maxWidth) text = fm.elidedText(text, Qt::ElideRight, std::max(maxWidth, widest));
    // A label centred on a cell at either edge would be cut by the strip: it is moved inside, and kept
    // clear of its neighbour, whose label reaches at most half a spacing towards it.
    double x = cx - fm.horizontalAdvance(text) / 2.0;
    if (x < area.left() || x + fm.horizontalAdvance(text) > area.right() + 1) {
      const double room = std::max(
          1.0, cx < area.center().x() ? cx + spacing / 2 - 1 - area.left() : area.right() + 1 - (cx - spacing / 2 + 1));
      text = fm.elidedText(text, Qt::ElideRight, static_cast<int>(room));
      const int w = fm.horizontalAdvance(text);
      x = std::max<double>(area.left(), std::min(cx - w / 2.0, area.right() + 1.0 - w));
    }
    p.setPen(s == decor.currentStep ? kCurrentColour : kAxisColour);
    p.drawText(QPointF(x, baseline), text);
    p.drawLine(QPointF(cx, area.bottom() - 4), QPointF(cx, area.bottom()));
  }
  // The step numbers of the first and last visible token, so the strip is readable on its own.
  p.setPen(Qt::gray);
  const long number0 = decor.firstStepNumber;
  p.drawText(area.adjusted(2, 0, -2, -4), Qt::AlignLeft | Qt::AlignBottom, QString::number(number0 + first));
  p.drawText(area.adjusted(2, 0, -2, -4), Qt::AlignRight | Qt::AlignBottom,
             QString::number(number0 + std::max(first, end - 1)));
  p.restore();
}

void paintUnitAxis(QPainter& p, const QRect& area, const HeatmapViewport& vp, const std::vector<int>& rowUnits,
                   const HeatmapDecor& decor) {
  p.save();
  p.setClipRect(area);
  const QFontMetrics fm = p.fontMetrics();
  const double ppr = vp.pixelsPerRow();
  const long every = static_cast<long>(niceTickStep(ppr, fm.height() + 2));
  const long first = std::max(0L, static_cast<long>(std::floor(vp.firstRow)));
  const long end = std::min<long>(vp.rows, static_cast<long>(std::ceil(vp.firstRow + vp.visibleRows)));
  // Highlighted (selected) units: a mark at every such row, whatever the zoom.
  for (long r = first; r < end; ++r) {
    if (r >= static_cast<long>(decor.highlightedRows.size()) || !decor.highlightedRows[r]) continue;
    const double y0 = area.top() + vp.yOfRow(r), h = std::max(1.0, ppr);
    p.fillRect(QRectF(area.right() - 8, y0, 8, std::max(2.0, h)), kSelectionColour.darker(110));
  }
  for (long r = first - first % every; r < end; r += every) {
    if (r < 0 || r >= static_cast<long>(rowUnits.size())) continue;
    // Centred on its row, but kept inside the axis: the first and last rows' labels are not cut in half.
    const double cy = keptInside(area.top() + vp.yOfRow(r + 0.5), area.top(), area.bottom() + 1, fm.height());
    p.setPen(r == decor.currentRow ? kCurrentColour : kAxisColour);
    if (r == decor.hoveredRow) p.setPen(Qt::black);
    p.drawText(QRectF(area.left(), cy - fm.height() / 2.0, area.width() - 9, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(rowUnits[static_cast<size_t>(r)]));
  }
  p.restore();
}

void paintStepAxis(QPainter& p, const QRect& area, const HeatmapViewport& vp, const HeatmapDecor& decor) {
  p.save();
  p.setClipRect(area.adjusted(-30, 0, 30, 0));
  const QFontMetrics fm = p.fontMetrics();
  const double tick = niceTickStep(vp.pixelsPerStep(), fm.horizontalAdvance(QStringLiteral("000000")) + 8);
  p.setPen(kAxisColour);
  p.drawLine(area.topLeft(), area.topRight());
  // Ticks at round step numbers: s is a data column, s + number0 the step it shows.
  const double number0 = static_cast<double>(decor.firstStepNumber);
  for (double n = std::ceil((vp.firstStep + number0) / tick) * tick; n < vp.firstStep + vp.visibleSteps + number0;
       n += tick) {
    const double x = area.left() + vp.xOfStep(n - number0 + 0.5);
    p.drawLine(QPointF(x, area.top()), QPointF(x, area.top() + 4));
    const QString label = QString::number(static_cast<long>(n));
    p.drawText(QPointF(x - fm.horizontalAdvance(label) / 2.0, area.top() + 4 + fm.ascent()), label);
  }
  p.restore();
}

FittedText fitText(QFont font, const QString& text, int width) {
  if (QFontMetrics(font).horizontalAdvance(text) <= width) return {font, text};
  // Text does not scale exactly with the font (hinting, whole pixels): step down from the full size until it
  // fits or the size reaches 70 %.
  const bool pixels = font.pixelSize() > 0;  // figures size their fonts in pixels, the widget in points
  const double full = pixels ? font.pixelSize() : font.pointSizeF();
  for (double size = full; size >= 0.7 * full - 1e-9; size -= full / 40) {
    pixels ? font.setPixelSize(std::max(1, static_cast<int>(std::lround(size)))) : font.setPointSizeF(size);
    if (QFontMetrics(font).horizontalAdvance(text) <= width) return {font, text};
  }
  return {font, QFontMetrics(font).elidedText(text, Qt::ElideRight, width)};
}

void paintTitle(QPainter& p, const QRect& area, const QString& title) {
  const FittedText fitted = fitText(p.font(), title, area.width() - 8);
  p.save();
  p.setFont(fitted.font);
  p.drawText(area, Qt::AlignCenter, fitted.text);
  p.restore();
}

void paintColourBar(QPainter& p, const QRect& area, const ColourScale& scale, const QString& label) {
  p.save();
  const QFontMetrics fm = p.fontMetrics();
  // The title on its own line above the bar, and the bar far enough below it that the top tick's label
  // (centred on the bar's top edge) stays clear of it.
  const int barTop = area.top() + fm.height() + fm.ascent() / 2 + 2;
  const QRect bar(area.left(), barTop, 14, std::max(8, area.bottom() - fm.ascent() / 2 - barTop));
  paintColourBands(p, bar, scale.map(), Qt::Vertical);  // highest values at the top
  p.setPen(kAxisColour);
  p.drawRect(bar.adjusted(0, 0, -1, -1));
  const auto tickAt = [&](double value) {
    const double f = (value - scale.low()) / (scale.high() - scale.low());
    const double y = bar.bottom() - f * bar.height();
    // A short tick and a clear gap before the label: a tick that touches "1" reads as "−1".
    p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
    p.drawText(QPointF(bar.right() + 3 + fm.horizontalAdvance(QLatin1Char(' ')) + 2, y + fm.ascent() / 2.0 - 1),
               formatValue(value));
  };
  tickAt(scale.low());
  tickAt(scale.centre());
  tickAt(scale.high());
  p.drawText(QRect(area.left(), area.top(), area.width(), fm.height()), Qt::AlignLeft,
             fm.elidedText(label, Qt::ElideRight, area.width()));
  p.restore();
}

void paintCellValues(QPainter& p, const QRect& plot, const HeatmapViewport& vp, const HeatmapData& data,
                     const std::vector<int>& rowUnits, const ColourScale& scale) {
  const QFontMetrics fm = p.fontMetrics();
  if (vp.pixelsPerStep() < fm.horizontalAdvance(QStringLiteral("-0.00")) + 4 || vp.pixelsPerRow() < fm.height() + 2)
    return;
  p.save();
  p.setClipRect(plot);
  const long s0 = std::max(0L, static_cast<long>(std::floor(vp.firstStep)));
  const long s1 = std::min<long>(vp.steps, static_cast<long>(std::ceil(vp.firstStep + vp.visibleSteps)));
  const long r0 = std::max(0L, static_cast<long>(std::floor(vp.firstRow)));
  const long r1 = std::min<long>(vp.rows, static_cast<long>(std::ceil(vp.firstRow + vp.visibleRows)));
  for (long r = r0; r < r1; ++r)
    for (long s = s0; s < s1; ++s) {
      const float v = data.values()(rowUnits[static_cast<size_t>(r)], s);
      const QRgb bg = scale.colourOf(v);
      p.setPen(textColourOn(bg));
      const QRectF cell(plot.left() + vp.xOfStep(s), plot.top() + vp.yOfRow(r), vp.pixelsPerStep(), vp.pixelsPerRow());
      p.drawText(cell, Qt::AlignCenter, QString::number(v, 'f', 2));
    }
  p.restore();
}

void paintPlotOverlays(QPainter& p, const QRect& plot, const HeatmapViewport& vp, const HeatmapDecor& decor,
                       const ColourMap& map) {
  const QColor mark = markColourFor(map);
  p.save();
  p.setBrush(Qt::NoBrush);  // outlines only
  p.setClipRect(plot);
  p.translate(plot.topLeft());
  if (decor.selection.size() > 0) {
    const double x0 = vp.xOfStep(decor.selection.first), x1 = vp.xOfStep(decor.selection.end);
    p.setPen(QPen(kSelectionColour, 2));
    p.drawRect(QRectF(x0, -2, x1 - x0, plot.height() + 4));
  }
  if (decor.currentStep >= 0) {
    const double x0 = vp.xOfStep(decor.currentStep), x1 = vp.xOfStep(decor.currentStep + 1);
    p.setPen(QPen(mark, 1, Qt::DashLine));
    if (x1 - x0 < 3)
      p.drawLine(QPointF(0.5 * (x0 + x1), 0), QPointF(0.5 * (x0 + x1), plot.height()));
    else
      p.drawRect(QRectF(x0, 0, x1 - x0, plot.height()));
  }
  // Selected units: an orange line along the top and bottom of each of their rows.
  p.setPen(QPen(QColor(kSelectionColour.red(), kSelectionColour.green(), kSelectionColour.blue(), 220), 1));
  const long firstRow = std::max(0L, static_cast<long>(std::floor(vp.firstRow)));
  const long endRow = std::min<long>(static_cast<long>(decor.highlightedRows.size()),
                                     static_cast<long>(std::ceil(vp.firstRow + vp.visibleRows)));
  for (long r = firstRow; r < endRow; ++r) {
    if (!decor.highlightedRows[static_cast<size_t>(r)]) continue;
    const double y0 = vp.yOfRow(r), y1 = std::max(vp.yOfRow(r + 1), y0 + 2);
    p.drawLine(QPointF(0, y0), QPointF(plot.width(), y0));
    p.drawLine(QPointF(0, y1), QPointF(plot.width(), y1));
  }
  if (decor.hoveredRow >= 0) {  // a band over the row, wide enough to see at any zoom
    const double y0 = vp.yOfRow(decor.hoveredRow), y1 = std::max(vp.yOfRow(decor.hoveredRow + 1), y0 + 1);
    p.fillRect(QRectF(0, y0 - 1, plot.width(), y1 - y0 + 2), QColor(20, 20, 20, 60));
    p.setPen(QPen(QColor(20, 20, 20), 1, Qt::DotLine));
    p.drawRect(QRectF(0, y0 - 2, plot.width(), y1 - y0 + 4));
  }
  if (decor.currentRow >= 0) {
    const double y0 = vp.yOfRow(decor.currentRow), y1 = vp.yOfRow(decor.currentRow + 1);
    p.setPen(QPen(mark, 1));
    p.drawRect(QRectF(0, y0, plot.width(), std::max(1.0, y1 - y0)));
  }
  p.restore();
}

void paintHeatmapFigure(QPainter& p, const QSize& size, const HeatmapData& data, HeatmapFrameRequest request,
                        const HeatmapDecor& decor) {
  const HeatmapLayout layout =
      HeatmapLayout::forSize(size, p.fontMetrics(), AxisTitles::Drawn, static_cast<int>(decor.meta.size()));
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  // Render at the device's resolution (at least 2x for vector output) so that cells stay sharp.
  const double deviceScale = std::max(2.0, p.worldTransform().m11());
  HeatmapViewport& vp = request.viewport;
  vp.width = std::min(8000, static_cast<int>(std::lround(layout.plot.width() * deviceScale)));
  vp.height = std::min(8000, static_cast<int>(std::lround(layout.plot.height() * deviceScale)));
  const QImage image = renderHeatmap(data, request, qRgb(255, 255, 255));
  p.drawImage(layout.plot, image);
  HeatmapViewport logical = vp;
  logical.width = layout.plot.width(), logical.height = layout.plot.height();
  p.setPen(kAxisColour);
  paintTitle(p, layout.title, decor.title);
  paintTokenStrip(p, layout.tokens, logical, decor);
  paintMetaStrips(p, layout.meta, QRect(0, layout.meta.top(), layout.meta.left(), layout.meta.height()), logical,
                  decor.meta);
  paintUnitAxis(p, layout.unitAxis, logical, request.rowUnits, decor);
  paintStepAxis(p, layout.stepAxis, logical, decor);
  paintAxisTitles(p, layout);
  paintColourBar(p, layout.colourBar, request.scale, decor.valueLabel);
  paintCellValues(p, layout.plot, logical, data, request.rowUnits, request.scale);
  paintPlotOverlays(p, layout.plot, logical, decor, request.scale.map());
  p.setPen(kAxisColour);
  p.setBrush(Qt::NoBrush);
  p.drawRect(layout.plot.adjusted(0, 0, -1, -1));
}

}  // namespace lstmscope::viz
