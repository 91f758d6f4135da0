#include "viz/text_colour_view.h"

#include <QFontDatabase>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <algorithm>
#include <limits>

#include "viz/colour_legend.h"
#include "viz/csv.h"
#include "viz/figure_metrics.h"
#include "viz/heatmap_data.h"

namespace lstmscope::viz {
namespace {

constexpr int kHeader = 26;
constexpr int kLegendGap = 18;  // between the text and the colour bar; holds the "do not fit" note
// A figure made before the view was ever laid out shows this many steps from the page's start.
constexpr long kFigureStepsBeforeLayout = 2000;

}  // namespace

TextColourView::TextColourView(QWidget* parent) : QWidget(parent) {
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(200, 80);
}

void TextColourView::setData(std::shared_ptr<const HeatmapData> data, const QStringList& tokens,
                             const QString& quantityLabel) {
  data_ = std::move(data);
  tokens_ = tokens;
  quantityLabel_ = quantityLabel;
  if (data_ && unit_ >= data_->units()) unit_ = 0;
  pageStart_ = std::clamp(pageStart_, 0L, std::max(0L, static_cast<long>(tokens_.size()) - 1));
  relayout();
}

void TextColourView::setUnit(int unit) {
  unit_ = unit;
  update();
}

void TextColourView::setScale(const ColourScale& scale) {
  scale_ = scale;
  update();
}

void TextColourView::setSelection(long first, long end) {
  selectionFirst_ = first, selectionEnd_ = end;
  update();
}

void TextColourView::setSeparateTokens(bool separate) {
  separate_ = separate;
  relayout();
}

void TextColourView::setCurrentStep(long step) {
  currentStep_ = step;
  if (step >= 0 && (step < pageStart_ || cells_.empty() || step > cells_.back().step)) {
    // Put the step about a fifth of the way into the page, at a line start when there is one nearby, else
    // at a word's start, not in the middle of one.
    const long back = std::max<long>(1, static_cast<long>(cells_.size()) / 5);
    pageStart_ = std::max(0L, step - back);
    long wordStart = -1;
    for (long s = step - 1; s > pageStart_; --s) {
      const QString& t = tokens_[static_cast<qsizetype>(s)];
      if (t.endsWith(QChar(0x21B5))) {
        wordStart = -1;
        pageStart_ = s + 1;
        break;
      }
      if (wordStart < 0 && t.endsWith(QChar(0x2423))) wordStart = s + 1;
    }
    if (wordStart > pageStart_) pageStart_ = wordStart;
    relayout();
    fillPageBackwards();
  }
  relayout();
}

void TextColourView::fillPageBackwards() {
  // A page that reaches the text's end with room to spare starts earlier: the earliest start from which
  // the last token still fits (found by bisection: an earlier start never fits more at the end).
  const long last = static_cast<long>(tokens_.size()) - 1;
  if (cells_.empty() || cells_.back().step != last || pageStart_ == 0) return;
  const QFontMetrics fm(font());
  const auto fits = [&](long start) {
    const std::vector<Cell> cells = layoutCells(start, last + 1, width(), height(), fm);
    return !cells.empty() && cells.back().step == last;
  };
  long low = 0, high = pageStart_;  // high fits; find the smallest start that does
  while (low < high) {
    const long mid = low + (high - low) / 2;
    if (fits(mid))
      high = mid;
    else
      low = mid + 1;
  }
  pageStart_ = high;
}

QRect TextColourView::cellOf(long step) const {
  for (const Cell& c : cells_)
    if (c.step == step) return c.rect;
  return {};
}

std::vector<TextColourView::Cell> TextColourView::layoutCells(long first, long end, int width, int bottom,
                                                              const QFontMetrics& fm) const {
  std::vector<Cell> cells;
  const int lineHeight = fm.height() + 2, right = width - kFigureMargin;
  int x = kFigureMargin, y = kHeader;
  for (long s = first; s < std::min<long>(end, tokens_.size()); ++s) {
    const QString& t = tokens_[static_cast<qsizetype>(s)];
    const int w = std::max(fm.horizontalAdvance(t), 4);
    if (x + w > right && x > kFigureMargin) x = kFigureMargin, y += lineHeight;
    if (y + lineHeight > bottom) break;
    cells.push_back({s, QRect(x, y, w, lineHeight)});
    x += w + (separate_ ? fm.horizontalAdvance(QLatin1Char(' ')) : 0);
    if (t.endsWith(QChar(0x21B5))) x = kFigureMargin, y += lineHeight;
  }
  return cells;
}

std::pair<long, long> TextColourView::figureSteps() const {
  const long end =
      cells_.empty() ? std::min<long>(tokens_.size(), pageStart_ + kFigureStepsBeforeLayout) : cells_.back().step + 1;
  return {pageStart_, end};
}

int TextColourView::figureHeightForWidth(int width) const {
  const QFontMetrics fm = figureFontMetrics(font());
  const auto [first, end] = figureSteps();
  const std::vector<Cell> cells = layoutCells(first, end, width, std::numeric_limits<int>::max(), fm);
  const int textBottom = cells.empty() ? kHeader : cells.back().rect.bottom() + 1;
  return textBottom + kLegendGap + colourLegendHeight(fm) + kFigureMargin;
}

void TextColourView::relayout() {
  cells_ = layoutCells(pageStart_, tokens_.size(), width(), height(), QFontMetrics(font()));
  update();
}

QString TextColourView::figureTitle() const {
  return tr("unit %1 · %2").arg(unit_).arg(quantityLabel_);
}

void TextColourView::paintCells(QPainter& p, const std::vector<Cell>& cells, FigureMarks marks) const {
  const bool validUnit = data_ && unit_ >= 0 && unit_ < data_->units();
  for (const Cell& c : cells) {
    const QRgb bg = validUnit ? scale_.colourOf(data_->values()(unit_, c.step)) : qRgb(255, 255, 255);
    p.fillRect(c.rect, QColor(bg));
    p.setPen(textColourOn(bg));
    p.drawText(c.rect, Qt::AlignCenter, tokens_[static_cast<qsizetype>(c.step)]);
    if (c.step >= selectionFirst_ && c.step < selectionEnd_) {
      p.setPen(QPen(QColor(230, 160, 0), 2));
      p.drawLine(c.rect.bottomLeft(), c.rect.bottomRight());
    }
    if (c.step == currentStep_ && marks == FigureMarks::Drawn) {
      p.setPen(QPen(QColor(220, 0, 0), 1.5));
      p.drawRect(c.rect.adjusted(0, 0, -1, -1));
    }
  }
}

void TextColourView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  p.setPen(Qt::darkGray);
  p.drawText(QRect(kFigureMargin, 4, width() - 2 * kFigureMargin, kHeader - 6), Qt::AlignLeft | Qt::AlignVCenter,
             figureTitle() + tr("   (Up/Down: other unit)"));
  paintCells(p, cells_, FigureMarks::Drawn);
}

void TextColourView::renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) {
  QPainter& p = painter;
  p.save();
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  p.setFont(font());
  const QFontMetrics fm(font(), p.device());
  p.setPen(Qt::black);
  p.drawText(QRect(kFigureMargin, 4, size.width() - 2 * kFigureMargin, kHeader - 6), Qt::AlignLeft | Qt::AlignVCenter,
             figureTitle());
  // The steps shown on screen, laid out at the figure's width; the colour bar below them.
  const auto [first, end] = figureSteps();
  const int legendTop = size.height() - kFigureMargin - colourLegendHeight(fm);
  const std::vector<Cell> cells = layoutCells(first, end, size.width(), legendTop - kLegendGap, fm);
  paintCells(p, cells, marks);
  const long shownEnd = cells.empty() ? first : cells.back().step + 1;
  if (shownEnd < end) {  // say what is missing rather than cutting it silently
    p.setPen(Qt::darkGray);
    p.drawText(QRect(kFigureMargin, legendTop - kLegendGap, size.width() - 2 * kFigureMargin, kLegendGap),
               Qt::AlignLeft | Qt::AlignVCenter,
               tr("… steps %1–%2 do not fit; a taller figure shows them").arg(shownEnd).arg(end - 1));
  }
  paintColourLegend(p, QRect(kFigureMargin, legendTop, size.width() - 2 * kFigureMargin, colourLegendHeight(fm)),
                    scale_, quantityLabel_);
  p.restore();
}

void TextColourView::writeCsv(QTextStream& out) const {
  out << "step,token,unit_" << unit_ << '\n';
  if (!data_ || unit_ < 0 || unit_ >= data_->units()) return;
  for (long s = 0; s < data_->steps(); ++s) {
    out << s << ',' << csvToken(tokens_.value(static_cast<qsizetype>(s))) << ','
        << QString::number(data_->values()(unit_, s), 'g', 9) << '\n';
  }
}

void TextColourView::keyPressEvent(QKeyEvent* e) {
  switch (e->key()) {
    case Qt::Key_Up:
    case Qt::Key_BracketLeft:
      emit unitStepped(-1);
      break;
    case Qt::Key_Down:
    case Qt::Key_BracketRight:
      emit unitStepped(1);
      break;
    case Qt::Key_Left:
      emit stepClicked(std::max(0L, currentStep_ - 1));
      break;
    case Qt::Key_Right:
      emit stepClicked(std::min<long>(tokens_.size() - 1, currentStep_ + 1));
      break;
    case Qt::Key_PageDown:
      if (!cells_.empty() && cells_.back().step + 1 < tokens_.size()) pageStart_ = cells_.back().step + 1;
      relayout();
      break;
    case Qt::Key_PageUp:
      pageStart_ = std::max(0L, pageStart_ - std::max<long>(1, static_cast<long>(cells_.size())));
      relayout();
      break;
    default:
      QWidget::keyPressEvent(e);
  }
}

void TextColourView::mousePressEvent(QMouseEvent* e) {
  setFocus();
  for (const Cell& c : cells_)
    if (c.rect.contains(e->position().toPoint())) emit stepClicked(c.step);
}

void TextColourView::resizeEvent(QResizeEvent*) {
  relayout();
}

}  // namespace lstmscope::viz
