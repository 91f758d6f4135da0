// What a model whose head gives values rather than probabilities (a forecaster's linear head) outputs: at the
// current step, or once from the whole input. Drawn and written by the Predictions view for such models.
#pragma once

#include <QPainter>
#include <QString>
#include <QTextStream>
#include <functional>

namespace lstmscope {
struct Recording;
}

namespace lstmscope::viz {

// Whether `recording`'s head gives values (a linear head), not probabilities.
bool givesValues(const Recording& recording);
// The column of the head's outputs shown at `step`: 0 for a head that reads the whole input.
long valueColumn(const Recording& recording, long step);

struct HeadValuesPage {
  const Recording* recording = nullptr;
  const Recording* baseline = nullptr;  // the run without interventions, or null
  long step = 0;
  QString stepLabel;                        // the current step's label
  std::function<QString(int)> outputLabel;  // "output k" or the head's label
};

// The outputs, one row per output (at most kShown), each with its change from the baseline; rows start at
// `firstRowTop`, each `line` high.
void paintHeadValues(QPainter& p, const QSize& size, const HeadValuesPage& page, int margin, int firstRowTop, int line);
// What the interventions did to an output that is `value` with them and `before` without:
// "(+0.00954 by the interventions; -0.0233 without them)".
QString interventionNote(double value, double before);
// Every output at every step it is given at (once for a head on the whole input).
void writeHeadValuesCsv(QTextStream& out, const HeadValuesPage& page, const QStringList& stepLabels);

constexpr int kShownValues = 8;

}  // namespace lstmscope::viz
