#include "viz/match_rows_view.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <cmath>

#include "viz/figure_metrics.h"

namespace lstmscope::viz {
namespace {

constexpr int kRowMargin = 6;
constexpr int kMetaStrip = 5;  // height of one meta track's strip
constexpr int kMatchLabelWidth = 230;

// White to the heatmap's orange as more of the selected units are on.
QColor onColour(int on, int selected) {
  const double share = selected > 0 ? std::clamp(static_cast<double>(on) / selected, 0.0, 1.0) : 0.0;
  return QColor::fromRgbF(1.0, 1.0 - 0.45 * share, 1.0 - 0.85 * share);
}

}  // namespace

MatchRowsView::MatchRowsView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumHeight(80);
}

void MatchRowsView::setRows(std::vector<MatchRow> rows, int selected, std::vector<MetaTrackStyle> meta) {
  rows_ = std::move(rows);
  selected_ = std::max(1, selected);
  meta_ = std::move(meta);
  message_.clear();
  updateGeometry();
  resize(width(), sizeHint().height());
  update();
}

void MatchRowsView::setMessage(const QString& message) {
  rows_.clear();
  message_ = message;
  updateGeometry();
  update();
}

int MatchRowsView::headerHeight(const QFontMetrics& fm) const {
  return meta_.empty() || rows_.empty() ? 0 : fm.height() + 6;
}

QString MatchRowsView::metaLegend() const {
  QStringList parts;
  for (const MetaTrackStyle& m : meta_) parts << metaTrackLegend(m);
  return tr("Strips beneath the tokens, top to bottom: %1").arg(parts.join(QStringLiteral(" · ")));
}

int MatchRowsView::rowHeight(const QFontMetrics& fm) const {
  return fm.height() + 8 + static_cast<int>(meta_.size()) * kMetaStrip;
}

QSize MatchRowsView::sizeHint() const {
  return {600, 2 * kRowMargin + headerHeight(fontMetrics()) +
                   std::max(1, static_cast<int>(rows_.size())) * rowHeight(fontMetrics())};
}

QRect MatchRowsView::rowRect(int row) const {
  const int h = rowHeight(fontMetrics());
  return {0, kRowMargin + headerHeight(fontMetrics()) + row * h, width(), h};
}

int MatchRowsView::rowAt(const QPoint& point) const {
  const int h = rowHeight(fontMetrics()), top = kRowMargin + headerHeight(fontMetrics());
  const int row = (point.y() - top) / h;
  return point.y() >= top && row < static_cast<int>(rows_.size()) ? row : -1;
}

void MatchRowsView::paintRows(QPainter& p, int width, int firstRow, int lastRow, const QFontMetrics& fm) const {
  const int h = rowHeight(fm), textHeight = fm.height() + 4, header = headerHeight(fm);
  if (header > 0 && firstRow == 0) {
    p.setPen(Qt::darkGray);
    p.drawText(QRect(kRowMargin, kRowMargin, width - 2 * kRowMargin, header), Qt::AlignVCenter | Qt::AlignLeft,
               fm.elidedText(metaLegend(), Qt::ElideRight, width - 2 * kRowMargin));
  }
  QFont bold = p.font();
  bold.setBold(true);
  for (int r = firstRow; r < lastRow; ++r) {
    const MatchRow& row = rows_[static_cast<size_t>(r)];
    const int top = kRowMargin + header + r * h;
    p.setPen(Qt::darkGray);
    p.drawText(QRect(kRowMargin, top, kMatchLabelWidth - 8, textHeight), Qt::AlignVCenter | Qt::AlignLeft,
               fm.elidedText(row.label, Qt::ElideRight, kMatchLabelWidth - 8));
    int x = kRowMargin + kMatchLabelWidth;
    for (int k = 0; k < row.tokens.size() && x < width; ++k) {
      const bool inRun = k >= row.runFirst && k < row.runEnd;
      p.setFont(inRun ? bold : QFont(p.font().family(), p.font().pointSize()));
      const int w = QFontMetrics(p.font()).horizontalAdvance(row.tokens[k]) + 4;
      const QRect cell(x, top, w, textHeight);
      p.fillRect(cell, onColour(row.onCount.empty() ? 0 : row.onCount[static_cast<size_t>(k)], selected_));
      p.setPen(inRun ? Qt::black : Qt::darkGray);
      p.drawText(cell, Qt::AlignCenter, row.tokens[k]);
      for (size_t m = 0; m < meta_.size() && m < row.meta.size(); ++m)
        p.fillRect(QRect(x, top + textHeight + static_cast<int>(m) * kMetaStrip, w, kMetaStrip - 1),
                   metaTrackColour(meta_[m], row.meta[m][static_cast<size_t>(k)]));
      x += w;
    }
    p.setFont(QFont(p.font().family(), p.font().pointSize()));
    // The run framed, so that it reads as the match even where no selected unit is on.
    int runX = kRowMargin + kMatchLabelWidth, runW = 0;
    for (int k = 0; k < row.tokens.size(); ++k) {
      QFont f = p.font();
      f.setBold(k >= row.runFirst && k < row.runEnd);
      const int w = QFontMetrics(f).horizontalAdvance(row.tokens[k]) + 4;
      if (k < row.runFirst) runX += w;
      if (k >= row.runFirst && k < row.runEnd) runW += w;
    }
    p.setPen(QPen(QColor(200, 80, 0), 1.5));
    p.drawRect(QRectF(runX, top, runW, textHeight).adjusted(0.5, 0.5, -0.5, -0.5));
  }
}

void MatchRowsView::paintEvent(QPaintEvent* event) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  if (rows_.empty()) {
    p.setPen(Qt::darkGray);
    p.drawText(rect().adjusted(kRowMargin, kRowMargin, -kRowMargin, -kRowMargin), Qt::TextWordWrap, message_);
    return;
  }
  const int h = rowHeight(fontMetrics()), top = kRowMargin + headerHeight(fontMetrics());
  const int first = std::max(0, (event->rect().top() - top) / h);
  const int last = std::min(static_cast<int>(rows_.size()), (event->rect().bottom() - top) / h + 1);
  paintRows(p, width(), first, last, fontMetrics());
}

void MatchRowsView::mousePressEvent(QMouseEvent* event) {
  if (const int row = rowAt(event->position().toPoint()); row >= 0) emit rowClicked(row);
}

void MatchRowsView::mouseMoveEvent(QMouseEvent* event) {
  const int row = rowAt(event->position().toPoint());
  if (row < 0) return;
  const MatchRow& m = rows_[static_cast<size_t>(row)];
  emit rowHovered(tr("%1: %2 of the selected units on throughout, %3 units in the union. Click to go there.")
                      .arg(m.label)
                      .arg(m.intersection)
                      .arg(m.unionSize));
}

QString MatchRowsView::figureTitle() const {
  return tr("Matches of %1 selected unit(s)").arg(selected_);
}

int MatchRowsView::figureHeightForWidth(int width) const {
  const QFontMetrics fm = figureFontMetrics(QApplication::font());
  const double scale = std::min(1.0, static_cast<double>(width) / std::max(1, rowsWidth(fm)));
  return static_cast<int>(std::ceil(
      scale * (2 * kRowMargin + headerHeight(fm) + std::max(1, static_cast<int>(rows_.size())) * rowHeight(fm))));
}

int MatchRowsView::rowsWidth(const QFontMetrics& fm) const {
  QFont bold = font();
  bold.setBold(true);
  const QFontMetrics boldMetrics(bold);
  int widest = 0;
  for (const MatchRow& row : rows_) {
    int w = kRowMargin + kMatchLabelWidth;
    for (int k = 0; k < row.tokens.size(); ++k)
      w += (k >= row.runFirst && k < row.runEnd ? boldMetrics : fm).horizontalAdvance(row.tokens[k]) + 4;
    widest = std::max(widest, w + kRowMargin);
  }
  return widest;
}

void MatchRowsView::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  const QFontMetrics fm = painter.fontMetrics();
  // Rows wider than the figure are drawn smaller rather than cut: the run's end and right context count.
  const double scale = std::min(1.0, static_cast<double>(size.width()) / std::max(1, rowsWidth(fm)));
  painter.save();
  painter.scale(scale, scale);
  const QSize area(static_cast<int>(size.width() / scale), static_cast<int>(size.height() / scale));
  const int rows = std::min(static_cast<int>(rows_.size()),
                            std::max(0, (area.height() - kRowMargin - headerHeight(fm)) / rowHeight(fm)));
  paintRows(painter, area.width(), 0, rows, fm);
  painter.restore();
}

void MatchRowsView::writeCsv(QTextStream& out) const {
  // The run and its context as the row shows them: a long run's middle is "…".
  out << "rank,start,length,document,intersection,union,units,run,context\n";
  const auto quoted = [](QString s) {
    return QLatin1Char('"') + s.replace(u'"', QStringLiteral("\"\"")) + QLatin1Char('"');
  };
  for (size_t r = 0; r < rows_.size(); ++r) {
    const MatchRow& m = rows_[r];
    QStringList units;
    for (int u : m.units) units << QString::number(u);
    out << r + 1 << ',' << m.start << ',' << m.length << ',' << quoted(m.document) << ',' << m.intersection << ','
        << m.unionSize << ',' << quoted(units.join(QLatin1Char(' '))) << ','
        << quoted(m.text.mid(m.runFirst, m.runEnd - m.runFirst).join(QString())) << ','
        << quoted(m.text.join(QString())) << '\n';
  }
}

}  // namespace lstmscope::viz
