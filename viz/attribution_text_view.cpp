#include "viz/attribution_text_view.h"

#include <QFontDatabase>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <algorithm>
#include <cmath>

#include "viz/colour_legend.h"
#include "viz/csv.h"
#include "viz/figure_metrics.h"
#include "viz/token_text.h"

namespace lstmscope::viz {
namespace {

// The colour bar with its "0" tick, and the line saying what the colours mean.
int legendHeight(const QFontMetrics& fm) {
  return 16 + 2 * fm.height() + 6;
}
constexpr int kNoteIndent = 16;  // a note on lines of its own, under its row's label
constexpr int kUnbounded = 1 << 20;

QFont boldOf(QFont font) {
  font.setBold(true);
  return font;
}

double largestMagnitude(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v)
    if (std::isfinite(x)) m = std::max(m, std::abs(x));
  return m > 0 ? m : 1;
}

}  // namespace

AttributionTextView::AttributionTextView(QWidget* parent) : QWidget(parent) {
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setMinimumSize(120, 40);
  QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
}

void AttributionTextView::setContent(const QStringList& tokens, std::vector<AttributionRow> rows, const QString& title,
                                     long targetStep, long first, long end) {
  tokens_ = tokens;
  first_ = std::clamp(first, 0L, static_cast<long>(tokens.size()));
  end_ = end < 0 ? static_cast<long>(tokens.size()) : std::clamp(end, first_, static_cast<long>(tokens.size()));
  rows_ = std::move(rows);
  title_ = title;
  message_.clear();
  targetStep_ = targetStep;
  ranges_.clear();
  for (const AttributionRow& r : rows_) ranges_.push_back(largestMagnitude(r.values));
  updateGeometry();
  update();
}

void AttributionTextView::clear(const QString& message) {
  rows_.clear();
  ranges_.clear();
  message_ = message;
  updateGeometry();
  update();
}

void AttributionTextView::setBoxedMeaning(const QString& words) {
  boxedMeaning_ = words;
  update();
}

void AttributionTextView::setPositionsAreRows(bool rows) {
  positionsAreRows_ = rows;
  update();
}

void AttributionTextView::setSeparateTokens(bool separate) {
  separate_ = separate;
  updateGeometry();
  update();
}

void AttributionTextView::setColourMap(const ColourMap& diverging) {
  map_ = diverging;
  update();
}

QString AttributionTextView::rowLabel(size_t r) const {
  // Whole sentences, so that a translation can word each its own way.
  const QString range = positionsAreRows_ ? tr("   (scale ±%1; rows %2–%3)") : tr("   (scale ±%1; tokens %2–%3)");
  return rows_[r].label + range.arg(ranges_[r], 0, 'g', 3).arg(first_).arg(end_ - 1);
}

QRect AttributionTextView::titleRect(int width, const QPaintDevice* device) const {
  const QFontMetrics bold(boldOf(font()), device);
  const QString& text = rows_.empty() ? message_ : title_;
  const int inner = std::max(1, width - 2 * kFigureMargin);
  const int height = bold.boundingRect(QRect(0, 0, inner, kUnbounded), Qt::TextWordWrap, text).height();
  return QRect(kFigureMargin, kFigureMargin, inner, std::max(height, bold.height()) + 2);
}

QRect AttributionTextView::noteRect(size_t r, int top, int width, const QFontMetrics& fm) const {
  const int lineHeight = fm.height() + 2, inner = std::max(1, width - 2 * kFigureMargin);
  const QString& note = rows_[r].note;
  const int gap = fm.horizontalAdvance(QStringLiteral("    "));
  if (note.isEmpty() || fm.horizontalAdvance(rowLabel(r)) + gap + fm.horizontalAdvance(note) <= inner)
    return QRect(kFigureMargin, top, inner, lineHeight);
  const int noteWidth = std::max(1, inner - kNoteIndent);
  const int height = fm.boundingRect(QRect(0, 0, noteWidth, kUnbounded), Qt::TextWordWrap, note).height();
  return QRect(kFigureMargin + kNoteIndent, top + lineHeight, noteWidth, height + 2);
}

QRect AttributionTextView::noteArea(int row) const {
  std::vector<int> headers;
  layout(width(), QFontMetrics(font(), this), this, nullptr, &headers);
  if (row < 0 || row >= static_cast<int>(rows_.size())) return {};
  return noteRect(static_cast<size_t>(row), headers[static_cast<size_t>(row)], width(), QFontMetrics(font(), this));
}

QRect AttributionTextView::titleArea() const {
  return titleRect(width(), this);
}

int AttributionTextView::layout(int width, const QFontMetrics& fm, const QPaintDevice* device, std::vector<Cell>* cells,
                                std::vector<int>* headerTops) const {
  const int lineHeight = fm.height() + 2, right = width - kFigureMargin;
  int y = titleRect(width, device).bottom() + 5;  // below the title
  for (int r = 0; r < static_cast<int>(rows_.size()); ++r) {
    if (headerTops) headerTops->push_back(y);
    y = std::max(y + lineHeight, noteRect(static_cast<size_t>(r), y, width, fm).bottom() + 1) + 2;
    int x = kFigureMargin;
    for (long s = first_; s < end_; ++s) {
      const QString& t = tokens_[static_cast<qsizetype>(s)];
      const int w = std::max(fm.horizontalAdvance(t), 4) + 2;
      if (x + w > right && x > kFigureMargin) x = kFigureMargin, y += lineHeight;
      if (cells) cells->push_back({r, s, QRect(x, y, w, lineHeight)});
      x += w + (separate_ ? fm.horizontalAdvance(QLatin1Char(' ')) : 0);
      if (t.endsWith(QChar(0x21B5))) x = kFigureMargin, y += lineHeight;
    }
    y += lineHeight + 8;
  }
  return y + legendHeight(fm);
}

int AttributionTextView::heightForWidth(int width) const {
  return layout(width, QFontMetrics(font(), this), this, nullptr, nullptr);
}

void AttributionTextView::paint(QPainter& p, const QSize& size) {
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  p.setFont(font());
  const QFontMetrics fm = p.fontMetrics();  // the painter's device (a 300 dpi export is not the screen)
  p.setFont(boldOf(font()));
  p.setPen(Qt::black);
  // Wrapped rather than cut where the view is narrower than the title.
  p.drawText(titleRect(size.width(), p.device()), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
             rows_.empty() ? message_ : title_);
  p.setFont(font());
  if (rows_.empty()) return;
  std::vector<Cell> cells;
  std::vector<int> headers;
  const int bottom = layout(size.width(), fm, p.device(), &cells, &headers);
  if (size == this->size()) cells_ = cells;
  for (size_t r = 0; r < rows_.size(); ++r) {
    const QRect header(kFigureMargin, headers[r], size.width() - 2 * kFigureMargin, fm.height() + 2);
    p.setPen(Qt::black);
    p.drawText(header, Qt::AlignLeft | Qt::AlignVCenter, rowLabel(r));
    p.setPen(rows_[r].warning ? QColor(200, 0, 0) : Qt::darkGray);
    // Beside the label where both fit, else wrapped on lines of its own below it (never cut or overlapping).
    const QRect note = noteRect(r, headers[r], size.width(), fm);
    p.drawText(note, note.top() == header.top() ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::TextWordWrap,
               rows_[r].note);
  }
  for (const Cell& c : cells) {
    const double v = rows_[static_cast<size_t>(c.row)].values[static_cast<size_t>(c.step)];
    const double range = ranges_[static_cast<size_t>(c.row)];
    const ColourScale scale(map_, -range, range);
    const QRgb bg = scale.colourOf(static_cast<float>(v));
    p.fillRect(c.rect, QColor(bg));
    p.setPen(textColourOn(bg));
    p.drawText(c.rect, Qt::AlignCenter, tokens_[static_cast<qsizetype>(c.step)]);
    if (c.step == targetStep_) {
      p.setPen(QPen(Qt::black, 2));
      p.drawRect(c.rect.adjusted(1, 1, -1, -1));
    }
  }
  // Legend: the diverging scale, each row's ends at its own +-range; what the colours mean on the line
  // under it (so that it is never cut at the figure's edge).
  const int legendTop = std::min(bottom, size.height()) - legendHeight(fm) + 6;
  const int barLeft = kFigureMargin + fm.horizontalAdvance(tr("negative")) + 8;
  const int barWidth = std::clamp(size.width() / 3, 60, 220);
  const QRect bar(barLeft, legendTop, barWidth, 10);
  paintColourBands(p, bar, map_, Qt::Horizontal);
  p.setPen(Qt::darkGray);
  p.drawRect(bar.adjusted(0, 0, -1, -1));
  p.drawText(QPoint(kFigureMargin, bar.bottom()), tr("negative"));
  p.drawText(QPoint(bar.right() + 8, bar.bottom()), tr("positive"));
  p.drawText(QPoint(bar.center().x() - fm.horizontalAdvance(QStringLiteral("0")) / 2, bar.bottom() + fm.height()),
             QStringLiteral("0"));
  p.drawText(QRect(kFigureMargin, bar.bottom() + fm.height() + 2, size.width() - 2 * kFigureMargin, fm.height() + 2),
             Qt::AlignLeft | Qt::AlignVCenter,
             fm.elidedText(tr("positive pushes the target up · boxed: %1").arg(boxedMeaning_), Qt::ElideRight,
                           size.width() - 2 * kFigureMargin));
}

void AttributionTextView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint(p, size());
}

int AttributionTextView::figureHeightForWidth(int width) const {
  return layout(width, figureFontMetrics(font()), figureDevice(), nullptr, nullptr);
}

void AttributionTextView::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  // A figure has a fixed size: drop context from the start (never the target) until every row fits.
  const long keptFirst = first_;
  painter.setFont(font());
  const QFontMetrics fm = painter.fontMetrics();
  const long lastFirst = targetStep_ >= first_ && targetStep_ < end_ ? targetStep_ : end_ - 1;
  while (first_ < lastFirst && layout(size.width(), fm, painter.device(), nullptr, nullptr) > size.height())
    first_ = std::min(lastFirst, first_ + std::max(1L, (end_ - first_) / 8));
  paint(painter, size);
  first_ = keptFirst;
}

void AttributionTextView::writeCsv(QTextStream& out) const {
  out << "step,token";
  for (const AttributionRow& r : rows_) out << ',' << csvText(r.label);
  out << '\n';
  for (long s = 0; s < tokens_.size(); ++s) {
    out << s << ',' << csvToken(tokens_[static_cast<qsizetype>(s)]);
    for (const AttributionRow& r : rows_) out << ',' << QString::number(r.values[static_cast<size_t>(s)], 'g', 17);
    out << '\n';
  }
}

bool AttributionTextView::writeJson(QByteArray& out) const {
  QJsonArray methods;
  for (const AttributionRow& r : rows_) {
    QJsonArray values;
    for (const double v : r.values) values.append(std::isfinite(v) ? QJsonValue(v) : QJsonValue());
    methods.append(QJsonObject{{QStringLiteral("method"), r.label},
                               {QStringLiteral("attributions"), values},
                               {QStringLiteral("note"), r.note}});
  }
  const QJsonObject doc{{QStringLiteral("title"), title_},
                        {QStringLiteral("target_step"), static_cast<qint64>(targetStep_)},
                        {QStringLiteral("tokens"), QJsonArray::fromStringList(plainTokens(tokens_))},
                        {QStringLiteral("methods"), methods}};
  out = QJsonDocument(doc).toJson();
  return true;
}

void AttributionTextView::mousePressEvent(QMouseEvent* e) {
  for (const Cell& c : cells_)
    if (c.rect.contains(e->position().toPoint())) {
      emit stepClicked(c.step);
      return;
    }
}

}  // namespace lstmscope::viz
