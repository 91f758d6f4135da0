// LSTMVis's hypothesis selection rule (Strobelt et al. 2017; docs/APP.md, "Selecting units"): which units
// are "on" exactly across a brushed range of steps and "off" just outside it.
#pragma once

#include <vector>

#include "core/model/model.h"

namespace lstmscope {

struct BrushQuery {
  long first = 0, end = 0;  // the brushed half-open step range [first, end)
  long offBefore = 1;       // steps before `first` that must be off (LSTMVis default 1)
  long offAfter = 0;        // steps from `end` on that must be off (LSTMVis default 0)
  double threshold = 0.3;   // a unit is on at a step when its value >= threshold
};

struct SelectedUnit {
  int unit = 0;
  // How clearly the unit matches: smallest value inside the brush minus the largest value in the off
  // margins (inside minimum minus threshold when there are no margins). Larger is clearer.
  double margin = 0;
};

// Units of `values` (H, T) whose on/off pattern over [first - offBefore, end + offAfter), clipped to the
// sequence, equals the brush pattern (on inside, off outside); sorted by margin, largest first.
// An empty or out-of-range brush selects nothing.
std::vector<SelectedUnit> selectUnits(const Mat<float>& values, const BrushQuery& query);

}  // namespace lstmscope
