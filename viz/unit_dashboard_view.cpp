#include "viz/unit_dashboard_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <algorithm>
#include <cmath>

#include "viz/figure_metrics.h"

namespace lstmscope::viz {
namespace {

constexpr int kHistogramHeight = 130;
constexpr int kAxisHeight = 18;          // tick labels under the histogram
constexpr int kContextLabelWidth = 210;  // a context's value, step and document
constexpr QRgb kBarColour = 0xff4a7ab5;

QString number(double v) {
  return QString::number(v, 'g', 4);
}

}  // namespace

struct UnitDashboardView::Layout {
  int titleTop = 0, statsTop = 0;
  QRect histogram;  // the plot area, axis labels below it
  int highestHeading = 0, highestTop = 0, lowestHeading = 0, lowestTop = 0, rowHeight = 0, height = 0;
};

UnitDashboardView::UnitDashboardView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumHeight(120);
  QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
}

void UnitDashboardView::setData(UnitDashboardData data) {
  data_ = std::move(data);
  hasData_ = true;
  message_.clear();
  setMinimumHeight(layoutFor(width(), fontMetrics()).height);  // the scroll area scrolls the contexts
  updateGeometry();
  update();
}

void UnitDashboardView::setMessage(const QString& message) {
  hasData_ = false;
  data_ = {};
  message_ = message;
  setMinimumHeight(120);
  updateGeometry();
  update();
}

UnitDashboardView::Layout UnitDashboardView::layoutFor(int width, const QFontMetrics& fm) const {
  Layout l;
  const int line = fm.height() + 4;
  l.titleTop = kFigureMargin;
  l.statsTop = l.titleTop + line;
  l.histogram =
      QRect(kFigureMargin + 40, l.statsTop + line + 4, std::max(60, width - 2 * kFigureMargin - 48), kHistogramHeight);
  l.rowHeight = fm.height() + 8;
  l.highestHeading = l.histogram.bottom() + kAxisHeight + 10;
  l.highestTop = l.highestHeading + line;
  l.lowestHeading = l.highestTop + static_cast<int>(data_.highest.size()) * l.rowHeight + 8;
  l.lowestTop = l.lowestHeading + line;
  l.height = l.lowestTop + static_cast<int>(data_.lowest.size()) * l.rowHeight + kFigureMargin;
  return l;
}

QRect UnitDashboardView::histogramRect() const {
  return layoutFor(width(), fontMetrics()).histogram;
}

const UnitContextRow* UnitDashboardView::contextByIndex(int index) const {
  const int highest = static_cast<int>(data_.highest.size());
  if (index < 0 || index >= highest + static_cast<int>(data_.lowest.size())) return nullptr;
  return index < highest ? &data_.highest[static_cast<size_t>(index)]
                         : &data_.lowest[static_cast<size_t>(index - highest)];
}

QRect UnitDashboardView::contextRect(int index) const {
  if (!hasData_ || !contextByIndex(index)) return {};
  const Layout l = layoutFor(width(), fontMetrics());
  const int highest = static_cast<int>(data_.highest.size());
  const int top = index < highest ? l.highestTop + index * l.rowHeight : l.lowestTop + (index - highest) * l.rowHeight;
  return {0, top, width(), l.rowHeight};
}

int UnitDashboardView::contextAt(const QPoint& point) const {
  const int n = static_cast<int>(data_.highest.size() + data_.lowest.size());
  for (int k = 0; k < n; ++k)
    if (contextRect(k).contains(point)) return k;
  return -1;
}

int UnitDashboardView::heightForWidth(int width) const {
  return hasData_ ? layoutFor(width, fontMetrics()).height : 120;
}

QSize UnitDashboardView::sizeHint() const {
  return {560, heightForWidth(560)};
}

void UnitDashboardView::paintHistogram(QPainter& p, const QRect& plot, const QFontMetrics& fm) const {
  p.setPen(Qt::darkGray);
  p.drawRect(plot.adjusted(0, 0, -1, -1));
  if (data_.counts.empty()) {
    p.drawText(plot, Qt::AlignCenter, tr("no finite value"));
    return;
  }
  // Only the bins from the first to the last that hold a value: the stored range can be up to twice as
  // wide as the values (bin widths are powers of two).
  const auto nonzero = [](int64_t n) { return n > 0; };
  const long first = std::find_if(data_.counts.begin(), data_.counts.end(), nonzero) - data_.counts.begin();
  const long last = static_cast<long>(data_.counts.size()) - 1 -
                    (std::find_if(data_.counts.rbegin(), data_.counts.rend(), nonzero) - data_.counts.rbegin());
  const int64_t most = *std::max_element(data_.counts.begin(), data_.counts.end());
  const long shown = last - first + 1;
  const double barWidth = static_cast<double>(plot.width()) / static_cast<double>(shown);
  for (long b = first; b <= last; ++b) {
    const double share = static_cast<double>(data_.counts[static_cast<size_t>(b)]) / static_cast<double>(most);
    // A bin with any value gets at least one pixel, so that rare values stay visible.
    const double h = data_.counts[static_cast<size_t>(b)] > 0 ? std::max(1.0, share * (plot.height() - 2)) : 0.0;
    p.fillRect(QRectF(plot.left() + (b - first) * barWidth, plot.bottom() - h, std::max(1.0, barWidth - 1), h),
               QColor::fromRgb(kBarColour));
  }
  const double low = data_.binStart + first * data_.binWidth, high = data_.binStart + (last + 1) * data_.binWidth;
  const auto xOf = [&](double v) { return plot.left() + (v - low) / (high - low) * plot.width(); };
  p.setPen(QPen(QColor(200, 80, 0), 1.5, Qt::DashLine));
  p.drawLine(QPointF(xOf(data_.mean), plot.top()), QPointF(xOf(data_.mean), plot.bottom()));
  p.setPen(Qt::darkGray);
  const QRect axis(plot.left(), plot.bottom() + 2, plot.width(), kAxisHeight);
  p.drawText(axis, Qt::AlignLeft | Qt::AlignVCenter, number(low));
  p.drawText(axis, Qt::AlignRight | Qt::AlignVCenter, number(high));
  p.setPen(QColor(200, 80, 0));
  p.drawText(QRectF(xOf(data_.mean) - 60, axis.top(), 120, axis.height()), Qt::AlignCenter,
             tr("mean %1").arg(number(data_.mean)));
  p.setPen(Qt::darkGray);
  p.save();
  p.translate(plot.left() - 6, plot.top());
  p.drawText(QRect(-40, 0, 40, fm.height()), Qt::AlignRight | Qt::AlignTop, QString::number(most));
  p.drawText(QRect(-40, plot.height() - fm.height(), 40, fm.height()), Qt::AlignRight | Qt::AlignBottom,
             QStringLiteral("0"));
  p.restore();
}

void UnitDashboardView::paintContext(QPainter& p, const UnitContextRow& row, const QRect& rect,
                                     const QFontMetrics& fm) const {
  const int textHeight = fm.height() + 4, top = rect.top() + 2;
  p.setPen(Qt::darkGray);
  p.drawText(QRect(kFigureMargin, top, kContextLabelWidth - 8, textHeight), Qt::AlignVCenter | Qt::AlignLeft,
             fm.elidedText(row.label, Qt::ElideRight, kContextLabelWidth - 8));
  // Keyword in context: the extreme token at the middle of the row, its context to both sides, so that
  // the rows line up on it and a narrow figure cuts the far context rather than the token.
  const int left = kFigureMargin + kContextLabelWidth, right = rect.right() - kFigureMargin;
  std::vector<int> widths;
  for (const QString& token : row.tokens) widths.push_back(fm.horizontalAdvance(token) + 4);
  int x = (left + right) / 2 - (row.at < static_cast<int>(widths.size()) ? widths[static_cast<size_t>(row.at)] / 2 : 0);
  for (int k = 0; k < row.at && k < static_cast<int>(widths.size()); ++k) x -= widths[static_cast<size_t>(k)];
  p.save();
  p.setClipRect(QRect(left, rect.top(), right - left, rect.height()));
  for (int k = 0; k < row.tokens.size(); ++k) {
    const int w = widths[static_cast<size_t>(k)];
    const QRect cell(x, top, w, textHeight);
    x += w;
    if (cell.right() < left || cell.left() > right) continue;
    const float value = k < static_cast<int>(row.values.size()) ? row.values[static_cast<size_t>(k)] : NAN;
    const QRgb background = data_.scale.colourOf(value);
    p.fillRect(cell, QColor::fromRgb(background));
    p.setPen(textColourOn(background));
    p.drawText(cell, Qt::AlignCenter, row.tokens[k]);
    if (k == row.at) {
      p.setPen(QPen(QColor(200, 80, 0), 2));
      p.drawRect(QRectF(cell).adjusted(1, 1, -1, -1));
    }
  }
  p.restore();
}

void UnitDashboardView::paint(QPainter& p, int width, const QFontMetrics& fm) const {
  const Layout l = layoutFor(width, fm);
  QFont bold = p.font();
  bold.setBold(true);
  const QFont plain = p.font();
  p.setFont(bold);
  p.setPen(Qt::black);
  p.drawText(QRect(kFigureMargin, l.titleTop, width - 2 * kFigureMargin, fm.height() + 4),
             Qt::AlignLeft | Qt::AlignVCenter, data_.title);
  p.setFont(plain);
  p.setPen(Qt::darkGray);
  p.drawText(QRect(kFigureMargin, l.statsTop, width - 2 * kFigureMargin, fm.height() + 4),
             Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(data_.stats, Qt::ElideRight, width - 2 * kFigureMargin));
  paintHistogram(p, l.histogram, fm);
  const auto heading = [&](int top, const QString& text) {
    p.setFont(bold);
    p.setPen(Qt::black);
    p.drawText(QRect(kFigureMargin, top, width - 2 * kFigureMargin, fm.height() + 4), Qt::AlignLeft | Qt::AlignVCenter,
               text);
    p.setFont(plain);
  };
  heading(l.highestHeading, tr("Highest (%1 contexts)").arg(data_.highest.size()));
  for (size_t k = 0; k < data_.highest.size(); ++k)
    paintContext(p, data_.highest[k], QRect(0, l.highestTop + static_cast<int>(k) * l.rowHeight, width, l.rowHeight),
                 fm);
  heading(l.lowestHeading, tr("Lowest (%1 contexts)").arg(data_.lowest.size()));
  for (size_t k = 0; k < data_.lowest.size(); ++k)
    paintContext(p, data_.lowest[k], QRect(0, l.lowestTop + static_cast<int>(k) * l.rowHeight, width, l.rowHeight), fm);
}

void UnitDashboardView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  if (!hasData_) {
    p.setPen(Qt::darkGray);
    p.drawText(rect().adjusted(kFigureMargin, kFigureMargin, -kFigureMargin, -kFigureMargin), Qt::TextWordWrap,
               message_);
    return;
  }
  paint(p, width(), fontMetrics());
}

void UnitDashboardView::mousePressEvent(QMouseEvent* event) {
  if (const UnitContextRow* row = contextByIndex(contextAt(event->position().toPoint())))
    emit contextClicked(row->step);
}

void UnitDashboardView::mouseMoveEvent(QMouseEvent* event) {
  const UnitContextRow* row = contextByIndex(contextAt(event->position().toPoint()));
  emit contextHovered(row ? tr("%1 — click to show this step").arg(row->label) : QString());
}

QString UnitDashboardView::figureTitle() const {
  return hasData_ ? data_.title : tr("Unit dashboard");
}

int UnitDashboardView::figureHeightForWidth(int width) const {
  return heightForWidth(width);
}

void UnitDashboardView::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  if (hasData_) paint(painter, size.width(), QFontMetrics(painter.font()));
}

void UnitDashboardView::writeCsv(QTextStream& out) const {
  out << "section,rank,bin_start,bin_end,count,step,value,context\n";
  for (size_t b = 0; b < data_.counts.size(); ++b)
    out << "histogram," << b + 1 << ',' << data_.binStart + b * data_.binWidth << ','
        << data_.binStart + (b + 1) * data_.binWidth << ',' << data_.counts[b] << ",,,\n";
  const auto quoted = [](QString s) {
    return QLatin1Char('"') + s.replace(u'"', QStringLiteral("\"\"")) + QLatin1Char('"');
  };
  for (const auto& [name, rows] : {std::pair{"highest", &data_.highest}, std::pair{"lowest", &data_.lowest}})
    for (size_t k = 0; k < rows->size(); ++k) {
      const UnitContextRow& r = (*rows)[k];
      out << name << ',' << k + 1 << ",,,," << r.step << ',' << r.value << ',' << quoted(r.text.join(QString()))
          << '\n';
    }
}

}  // namespace lstmscope::viz
