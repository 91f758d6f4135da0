#include "viz/head_values.h"

#include <QStringList>
#include <algorithm>

#include "core/analysis/recording.h"
#include "viz/csv.h"

namespace lstmscope::viz {

bool givesValues(const Recording& r) {
  return r.arch.head && r.arch.head->activation == HeadActivation::Linear && r.probs.rows() > 0 && r.probs.cols() > 0 &&
         !r.isLanguageModel();
}

long valueColumn(const Recording& r, long step) {
  return r.probs.cols() == 1 ? 0 : std::clamp(step, 0L, static_cast<long>(r.probs.cols()) - 1);
}

void paintHeadValues(QPainter& p, const QSize& size, const HeadValuesPage& page, int margin, int firstRowTop,
                     int line) {
  const Recording& r = *page.recording;
  const QFontMetrics fm = p.fontMetrics();
  const long column = valueColumn(r, page.step);
  const bool whole = r.probs.cols() == 1;
  p.setPen(Qt::black);
  p.drawText(margin, margin + fm.ascent(),
             whole ? QObject::tr("From the whole input, the model gives:")
                   : QObject::tr("At step %1 “%2”, the model gives:").arg(page.step).arg(page.stepLabel));
  const int labelWidth = fm.horizontalAdvance(QStringLiteral("MMMMMMMM"));
  const bool compared =
      page.baseline && page.baseline->probs.rows() == r.probs.rows() && page.baseline->probs.cols() == r.probs.cols();
  int y = firstRowTop;
  const int shown = std::min(static_cast<int>(r.probs.rows()), kShownValues);
  for (int k = 0; k < shown; ++k) {
    p.setPen(Qt::black);
    p.drawText(QRect(margin, y, labelWidth, line), Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(page.outputLabel(k), Qt::ElideRight, labelWidth));
    const double value = r.probs(k, column);
    const QString text = QString::number(value, 'g', 6);
    const int x = margin + labelWidth + 12;
    p.drawText(x, y + line / 2 + fm.ascent() / 2 - 1, text);
    if (compared) {  // the change, coloured by its sign, and the value it changed from
      const double before = page.baseline->probs(k, column), change = value - before;
      p.setPen(change >= 0 ? QColor(0, 120, 0) : QColor(180, 30, 30));
      const int noteX = x + fm.horizontalAdvance(text + QStringLiteral("  "));
      const QString note = interventionNote(value, before);
      p.drawText(noteX, y + line / 2 + fm.ascent() / 2 - 1,
                 fm.elidedText(note, Qt::ElideRight, std::max(0, size.width() - margin - noteX)));
    }
    y += line;
  }
  p.setPen(Qt::darkGray);
  if (r.probs.rows() > shown)
    p.drawText(
        QRect(margin, y + 4, size.width() - 2 * margin, line), Qt::TextWordWrap,
        QObject::tr("… and %1 more outputs (File › Export the view as CSV lists all).").arg(r.probs.rows() - shown));
}

QString interventionNote(double value, double before) {
  const double change = value - before;
  return QObject::tr("(%1%2 by the interventions; %3 without them)")
      .arg(change >= 0 ? QStringLiteral("+") : QString())
      .arg(QString::number(change, 'g', 4))
      .arg(QString::number(before, 'g', 6));
}

void writeHeadValuesCsv(QTextStream& out, const HeadValuesPage& page, const QStringList& stepLabels) {
  const Recording& r = *page.recording;
  const bool whole = r.probs.cols() == 1;
  out << (whole ? "output" : "step,token,output") << ",value\n";
  for (long t = 0; t < r.probs.cols(); ++t)
    for (int k = 0; k < r.probs.rows(); ++k) {
      if (!whole) out << t << ',' << csvToken(stepLabels.value(t)) << ',';
      out << csvToken(page.outputLabel(k)) << ',' << QString::number(r.probs(k, t), 'g', 9) << '\n';
    }
}

}  // namespace lstmscope::viz
