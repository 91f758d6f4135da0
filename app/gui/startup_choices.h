// What to show once the first analysis arrives, from the command line: reproducible screenshots and
// figures (docs/APP.md, "Command line").
#pragma once

#include <QString>
#include <QStringList>

#include "viz/heatmap_viewport.h"

namespace lstmscope::app {

class MainWindow;

struct StartupChoices {
  int layer = -1;             // -1: the last layer
  QString quantity;           // i f g o c h or tanh(c), or gxa(h) gxa(c) lrp(h) lrp(c); empty: tanh(c)
  viz::IndexSpan brush;       // a range to select units with
  long step = -1;             // current step
  int unit = -1;              // current unit; -1: the best unit of the brush, if any
  QString dock;               // object name of a dock to bring to the front
  QString attribution;        // a method name (ig, lrp, ...), "all" (side by side) or "matrix"; raises its dock
  int matches = 0;            // > 0: run the Match dock's search for the selected units, this many results
  QStringList interventions;  // specs to run the text under (the Interventions dock)
  QString runShown;           // intervened, original or difference; empty: intervened
  QString effects;            // sweep, map or patch:TEXT: run the Effects dock; empty: not
};

// Applies `choices` to the analysed window. Returns what could not be applied (an unknown name), or "".
QString applyStartupChoices(const StartupChoices& choices, MainWindow& window);

}  // namespace lstmscope::app
