#include "viz/predictions_view.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <algorithm>
#include <cmath>

#include "core/analysis/recording.h"
#include "viz/csv.h"
#include "viz/figure_metrics.h"
#include "viz/head_values.h"

namespace lstmscope::viz {

PredictionsView::PredictionsView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(220, 100);  // small enough that a bottom dock can take half of a 1280 x 800 window
}

void PredictionsView::setRecording(std::shared_ptr<const Recording> recording, const QStringList& vocabularyDisplay,
                                   const QStringList& stepTokens, const QString& unavailable) {
  recording_ = std::move(recording);
  unavailable_ = unavailable;
  vocabulary_ = vocabularyDisplay;
  stepTokens_ = stepTokens;
  step_ = 0;
  update();
}

void PredictionsView::setStep(long step) {
  step_ = step;
  update();
}

bool PredictionsView::wholeInput() const {
  if (!recording_ || recording_->isLanguageModel() || !recording_->arch.head) return false;
  const HeadSpec& head = *recording_->arch.head;
  return head.perSequence() && head.activation != HeadActivation::Linear && recording_->probs.cols() == 1 &&
         recording_->probs.rows() > 0;
}

bool PredictionsView::predicts() const {
  return recording_ && (recording_->isLanguageModel() || wholeInput());
}

bool PredictionsView::showsValues() const {
  return recording_ && !predicts() && unavailable_.isEmpty() && givesValues(*recording_);
}

QString PredictionsView::outputLabel(int id) const {
  const Architecture& arch = recording_->arch;
  if (arch.inputKind == InputKind::Tokens && recording_->probs.rows() == arch.vocab.size())
    return vocabulary_.value(id);
  if (arch.head && id < static_cast<int>(arch.head->labels.size()))
    return QString::fromStdString(arch.head->labels[static_cast<size_t>(id)]);
  return tr("output %1").arg(id);
}

PredictionsView::Summary PredictionsView::summaryAt(long step) const {
  Summary s;
  if (wholeInput()) {  // one prediction from the whole input
    s.top = topK(recording_->probs, 0, kTop);
    return s;
  }
  if (!recording_ || !recording_->isLanguageModel() || step < 0 || step >= recording_->steps) return s;
  s.top = topK(recording_->probs, step, kTop);
  if (step + 1 < recording_->steps) {
    s.nextId = recording_->ids[static_cast<size_t>(step + 1)];
    const auto column = recording_->probs.col(step);
    s.nextProbability = column(s.nextId);
    // Rank: 1 + how many outputs are more probable (ties go to the lower id, as in topK).
    s.nextRank = 1;
    for (int k = 0; k < column.size(); ++k)
      if (column(k) > s.nextProbability || (column(k) == s.nextProbability && k < s.nextId)) ++s.nextRank;
  }
  return s;
}

PredictionsView::Summary PredictionsView::summary() const {
  return summaryAt(step_);
}

QString PredictionsView::figureTitle() const {
  if (showsValues())
    return recording_->probs.cols() == 1 ? tr("Outputs from the whole input") : tr("Outputs at step %1").arg(step_);
  return wholeInput() ? tr("Predictions from the whole input") : tr("Next-token predictions after step %1").arg(step_);
}

namespace {

int lineHeight(const QFontMetrics& fm) {
  return fm.height() + 6;
}
// Top of prediction row k.
int rowTop(const QFontMetrics& fm, int k) {
  return kFigureMargin + lineHeight(fm) + 4 + k * lineHeight(fm);
}

}  // namespace

int PredictionsView::predictionAt(const QPoint& point) const {
  if (showsValues()) {  // one row per output, in order
    const QFontMetrics fm = fontMetrics();
    const int shown = std::min(static_cast<int>(recording_->probs.rows()), kShownValues);
    for (int k = 0; k < shown; ++k)
      if (point.y() >= rowTop(fm, k) && point.y() < rowTop(fm, k + 1)) return k;
    return -1;
  }
  if (!predicts()) return -1;
  const Summary s = summary();
  const QFontMetrics fm = fontMetrics();
  for (int k = 0; k < static_cast<int>(s.top.size()); ++k)
    if (point.y() >= rowTop(fm, k) && point.y() < rowTop(fm, k + 1)) return s.top[static_cast<size_t>(k)].id;
  return -1;
}

void PredictionsView::mousePressEvent(QMouseEvent* event) {
  const int id = predictionAt(event->position().toPoint());
  if (id >= 0) emit predictionClicked(id);
}

void PredictionsView::paint(QPainter& p, const QSize& size) {
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  const QFontMetrics fm = p.fontMetrics();
  const int line = lineHeight(fm), margin = kFigureMargin;
  p.setPen(Qt::black);
  if (showsValues()) {
    const HeadValuesPage page{recording_.get(), baseline_.get(), step_, stepTokens_.value(step_),
                              [this](int id) { return outputLabel(id); }};
    return paintHeadValues(p, size, page, margin, rowTop(fm, 0), line);
  }
  if (!predicts()) {
    p.drawText(QRect(margin, margin, size.width() - 2 * margin, size.height()), Qt::TextWordWrap,
               unavailable_.isEmpty() ? tr("Predictions are shown for language models (a softmax over the input "
                                           "vocabulary at every step), classifiers (one prediction per input) and "
                                           "models whose head gives values (a forecaster's outputs).")
                                      : unavailable_);
    return;
  }
  const Summary s = summary();
  const QString current = stepTokens_.value(static_cast<qsizetype>(step_));
  p.drawText(margin, margin + fm.ascent(),
             wholeInput() ? tr("From the whole input, the model predicts:")
                          : tr("After step %1 “%2”, the model predicts:").arg(step_).arg(current));
  const int labelWidth = fm.horizontalAdvance(QStringLiteral("MMMMMMMM")), bar0 = margin + labelWidth + 8;
  // Room after the longest bar for its percentage, and with a baseline for the change beside it.
  const QString widest = baseline_ ? QStringLiteral(" 100.0% (+100.0)") : QStringLiteral(" 100.0%");
  const int barMax = std::max(20, size.width() - bar0 - fm.horizontalAdvance(widest) - margin);
  int y = rowTop(fm, 0);
  for (const Prediction& pr : s.top) {
    const bool actual = pr.id == s.nextId;
    p.setPen(actual ? QColor(0, 120, 0) : Qt::black);
    p.drawText(QRect(margin, y, labelWidth, line), Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(outputLabel(pr.id), Qt::ElideRight, labelWidth));
    const int w = static_cast<int>(barMax * pr.probability);
    p.fillRect(QRect(bar0, y + 3, std::max(1, w), line - 6), actual ? QColor(80, 170, 80) : QColor(70, 130, 180));
    const QString percent = QString::number(100.0 * pr.probability, 'f', 1) + QLatin1Char('%');
    const QPoint at(bar0 + w + 4, y + line / 2 + fm.ascent() / 2 - 1);
    p.drawText(at, percent);
    if (const double change = baselineChange(pr.id); !std::isnan(change)) {
      p.setPen(change >= 0 ? QColor(0, 120, 0) : QColor(180, 30, 30));
      p.drawText(at + QPoint(fm.horizontalAdvance(percent + QLatin1Char(' ')), 0),
                 tr("(%1%2)").arg(change >= 0 ? QStringLiteral("+") : QString()).arg(change, 0, 'f', 1));
    }
    y += line;
  }
  p.setPen(Qt::black);
  y += 6;
  if (wholeInput()) {  // what the head read to predict it
    p.drawText(QRect(margin, y, size.width() - 2 * margin, 2 * line), Qt::TextWordWrap,
               tr("The head reads %1.").arg(QString::fromStdString(describeHeadInput(recording_->arch))));
  } else if (s.nextId < 0) {
    p.drawText(margin, y + fm.ascent(), tr("This is the last step: no next token."));
  } else {
    p.drawText(margin, y + fm.ascent(),
               tr("Actual next: “%1”  p = %2  (rank %3)")
                   .arg(vocabulary_.value(s.nextId))
                   .arg(QString::number(s.nextProbability, 'g', 4))
                   .arg(s.nextRank));
    // Under interventions, on a line of its own (the dock is narrow): what the original run gave it.
    if (const double change = baselineChange(s.nextId); !std::isnan(change))
      p.drawText(
          margin, y + line + fm.ascent(),
          tr("without the interventions: p = %1").arg(QString::number(s.nextProbability - change / 100.0, 'g', 4)));
  }
}

double PredictionsView::baselineChange(int id) const {
  const long column = wholeInput() ? 0 : step_;
  if (!baseline_ || !recording_ || id < 0 || baseline_->probs.cols() != recording_->probs.cols() || column < 0 ||
      column >= recording_->probs.cols() || id >= recording_->probs.rows())
    return std::nan("");
  return 100.0 * (recording_->probs(id, column) - baseline_->probs(id, column));
}

void PredictionsView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint(p, size());
  if (!predicts() && !showsValues()) return;
  // The hint only where it has room below the predictions (a short dock would draw it over them).
  if (height() < figureHeightForWidth(width()) + fontMetrics().height()) return;
  p.setPen(Qt::darkGray);
  p.drawText(QRect(kFigureMargin, 0, width() - 2 * kFigureMargin, height() - 4), Qt::AlignBottom | Qt::AlignLeft,
             tr("Click a prediction to see what drove it (Attribution)."));
}

void PredictionsView::renderFigure(QPainter& painter, const QSize& size, FigureMarks) {
  paint(painter, size);
}

int PredictionsView::figureHeightForWidth(int) const {
  // The title, one row per prediction and the actual next token (and its probability without the
  // interventions under them), in the font painters start with.
  const QFontMetrics fm = figureFontMetrics(QApplication::font());
  if (showsValues()) {  // the title, a row per output shown, and the line saying how many more there are
    const int rows = std::min(static_cast<int>(recording_->probs.rows()), kShownValues);
    return rowTop(fm, rows) + 6 + (recording_->probs.rows() > rows ? 1 : 0) * lineHeight(fm) + kFigureMargin;
  }
  const bool shown = predicts();
  const Summary s = shown ? summary() : Summary{};  // (sorts the vocabulary: once, not per question)
  const int rows = shown ? static_cast<int>(s.top.size()) : 2;
  const bool extraLine = shown && (wholeInput() || !std::isnan(baselineChange(s.nextId)));
  return rowTop(fm, rows) + 6 + (extraLine ? 2 : 1) * lineHeight(fm) + kFigureMargin;
}

void PredictionsView::writeCsv(QTextStream& out) const {
  if (showsValues())
    return writeHeadValuesCsv(
        out, {recording_.get(), baseline_.get(), step_, {}, [this](int id) { return outputLabel(id); }}, stepTokens_);
  if (wholeInput()) {  // one prediction: every output, most probable first
    out << "rank,output,probability\n";
    const std::vector<Prediction> all = topK(recording_->probs, 0, static_cast<int>(recording_->probs.rows()));
    for (size_t k = 0; k < all.size(); ++k)
      out << k + 1 << ',' << csvToken(outputLabel(all[k].id)) << ',' << QString::number(all[k].probability, 'g', 9)
          << '\n';
    return;
  }
  out << "step,token,next_token,p_next,rank_next";
  for (int k = 1; k <= kTop; ++k) out << ",top" << k << ",p_top" << k;
  out << '\n';
  if (!recording_ || !recording_->isLanguageModel()) return;
  for (long t = 0; t < recording_->steps; ++t) {
    const Summary s = summaryAt(t);
    out << t << ',' << csvToken(stepTokens_.value(t)) << ',';
    if (s.nextId >= 0)
      out << csvToken(vocabulary_.value(s.nextId)) << ',' << QString::number(s.nextProbability, 'g', 9) << ','
          << s.nextRank;
    else
      out << ",,";
    for (const Prediction& pr : s.top)
      out << ',' << csvToken(vocabulary_.value(pr.id)) << ',' << QString::number(pr.probability, 'g', 9);
    out << '\n';
  }
}

}  // namespace lstmscope::viz
