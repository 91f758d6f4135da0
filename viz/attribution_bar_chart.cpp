#include "viz/attribution_bar_chart.h"

#include <QApplication>
#include <QSet>
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
#include "viz/figure_metrics.h"
#include "viz/token_text.h"

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
  // On screen the axis labels read "token step" (the axis merges equal strings, so each carries its
  // step); bars of units ranked by effect read "unit 123", not "123 0" (rank 0 is the first bar anyway).
  const QString caption = captions_.section(QLatin1Char('\n'), 0, 0);
  const bool namedByCaption = captionNamesBars_ && QSet<QString>(tokens.begin(), tokens.end()).size() == tokens.size();
  QStringList categories;
  double extent = 0;
  for (long s = first_; s < end; ++s) {
    const double v = values[static_cast<size_t>(s)];
    shown_.push_back(v);
    tokens_.push_back(tokens.value(static_cast<qsizetype>(s)));
    *positive << (v > 0 ? v : 0);
    *negative << (v < 0 ? v : 0);
    if (std::isfinite(v)) extent = std::max(extent, std::abs(v));
    const QString token = tokens.value(static_cast<qsizetype>(s));
    categories << (namedByCaption ? caption + QLatin1Char(' ') + token
                                  : QStringLiteral("%1\u2009%2").arg(token).arg(s));
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

int AttributionBarChart::figureHeightForWidth(int width) const {
  // The wrapped title, a plot about 3/5 as tall as wide (at least 260), the token and step rows.
  const QFontMetrics fm = figureFontMetrics(QApplication::font());
  const int title =
      fm.boundingRect(QRect(0, 0, width - 16, 10000), Qt::AlignHCenter | Qt::TextWordWrap, chart()->title()).height();
  return title + 8 + std::max(260, width * 3 / 5) + 2 * fm.height() + 8;
}

void AttributionBarChart::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  painter.save();
  renderWithLabels(painter, size);
  painter.restore();
}

void AttributionBarChart::renderWithLabels(QPainter& painter, const QSize& size) {
  // The chart elides a long title and turns its category labels on their side (unreadable, and elided
  // to dots when the figure is short): the figure draws the title wrapped above the chart, and under the
  // bars each token upright with every k-th step number below it.
  auto* x = chart()->axes(Qt::Horizontal).isEmpty()
                ? nullptr
                : qobject_cast<QBarCategoryAxis*>(chart()->axes(Qt::Horizontal).constFirst());
  const QFontMetrics fm = painter.fontMetrics();
  const QString title = chart()->title();
  const int titleHeight =
      fm.boundingRect(QRect(0, 0, size.width() - 16, 10000), Qt::AlignHCenter | Qt::TextWordWrap, title).height() + 8;
  const int labelRows = 2 * fm.height() + 8;
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  painter.setPen(Qt::black);
  painter.drawText(QRect(8, 4, size.width() - 16, titleHeight), Qt::AlignHCenter | Qt::TextWordWrap, title);
  const QMargins margins = chart()->margins();
  chart()->setTitle(QString());
  const bool labelsVisible = x && x->labelsVisible();
  if (x) x->setLabelsVisible(false);
  chart()->setMargins(QMargins(margins.left(), margins.top(), margins.right(), margins.bottom() + labelRows));
  QRectF plot;
  painter.save();
  painter.translate(0, titleHeight);
  renderChart(*this, painter, QSize(size.width(), std::max(1, size.height() - titleHeight)), [&] {
    if (plot.isNull()) plot = chart()->plotArea();  // the first call has the figure's geometry
  });
  painter.restore();
  chart()->setMargins(margins);
  if (x) x->setLabelsVisible(labelsVisible);
  chart()->setTitle(title);
  if (shown_.empty() || plot.isNull()) return;
  plot.translate(0, titleHeight);
  const double perBar = plot.width() / static_cast<double>(shown_.size());
  const long every = static_cast<long>(niceTickStep(perBar, fm.horizontalAdvance(QStringLiteral("00000")) + 4));
  // Tokens are spaced by the widest one shown (a date, a unit's name), up to 12 digits wide: spaced
  // by a character's width, every label longer than two was elided to "20…".
  int widestToken = fm.horizontalAdvance(QStringLiteral("MM"));
  for (const QString& token : tokens_) widestToken = std::max(widestToken, fm.horizontalAdvance(token));
  widestToken = std::min(widestToken, fm.horizontalAdvance(QStringLiteral("000000000000")));
  const long tokenEvery = static_cast<long>(niceTickStep(perBar, widestToken + 6));
  painter.setPen(QColor(60, 60, 60));
  const int tokenBaseline = static_cast<int>(plot.bottom()) + 4 + fm.ascent();
  double firstLabelLeft = plot.left();  // the leftmost label drawn, which the captions must keep clear of
  for (size_t k = 0; k < shown_.size(); ++k) {
    const long step = first_ + static_cast<long>(k);
    const double cx = plot.left() + (k + 0.5) * perBar;
    // Every tokenEvery-th token, and the last (the target's input) when it keeps clear of the one before.
    const bool last = k + 1 == shown_.size() && step % tokenEvery >= tokenEvery / 2;
    if (step % tokenEvery == 0 || last) {
      const QString token = fm.elidedText(tokens_.value(static_cast<qsizetype>(k)), Qt::ElideRight,
                                          static_cast<int>(std::max(perBar * tokenEvery - 2, 8.0)));
      const double left = cx - fm.horizontalAdvance(token) / 2.0;
      firstLabelLeft = std::min(firstLabelLeft, left);
      painter.drawText(QPointF(left, tokenBaseline), token);
    }
    if (step % every == 0) {
      const QString number = QString::number(step);
      painter.drawText(QPointF(cx - fm.horizontalAdvance(number) / 2.0, tokenBaseline + fm.height()), number);
    }
  }
  // Captions of the two label rows, clear of the first (centred) step number and the first token.
  const double captionRight =
      std::min(plot.left() - fm.horizontalAdvance(QStringLiteral("00000")) / 2.0, firstLabelLeft) - 4;
  painter.drawText(QRectF(0, tokenBaseline - fm.ascent(), captionRight, 2 * fm.height()), Qt::AlignRight | Qt::AlignTop,
                   captions_);
}

void AttributionBarChart::writeCsv(QTextStream& out) const {
  out << csvHeader_ << '\n';
  for (size_t k = 0; k < shown_.size(); ++k)
    out << first_ + static_cast<long>(k) << ',' << csvToken(tokens_.value(static_cast<qsizetype>(k))) << ','
        << QString::number(shown_[k], 'g', 17) << '\n';
}

}  // namespace lstmscope::viz
