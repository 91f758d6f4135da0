// What the user is looking at, shared by all linked views: the heatmap's layer, direction and quantity,
// the current step and unit, the brushed range and the units selected by it or by hand.
#pragma once

#include <vector>

#include "core/engine/record.h"
#include "viz/heatmap_viewport.h"

namespace lstmscope::app {

enum class UnitOrder { Index, Mean, Variance, MatchScore };

// Attribution to hidden units shown as a heatmap quantity (docs/ATTRIBUTION.md): gradient x activation or LRP
// relevance, of h or of c, for the Attribution dock's current target.
enum class UnitAttributionKind { None, GradientH, GradientC, RelevanceH, RelevanceC };

struct ViewState {
  int layer = 0, direction = 0;
  Quantity quantity = Quantity::C;
  bool squashed = true;  // show tanh(c) rather than c (Karpathy et al., LSTMVis); only for c
  UnitAttributionKind attribution = UnitAttributionKind::None;  // instead of the recorded quantity
  long currentStep = 0;
  int currentUnit = 0;
  viz::IndexSpan brush;  // empty: nothing brushed
  double threshold = 0.3;
  long offBefore = 1, offAfter = 0;  // LSTMVis's off margins
  std::vector<int> selectedUnits;    // by the selection rule (ranked) or by clicks
  std::vector<double> matchScores;   // margin of each selected unit (rule only)
  UnitOrder order = UnitOrder::Index;
  bool selectedOnly = false;
};

}  // namespace lstmscope::app
