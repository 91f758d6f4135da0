// The heatmap's row order: which units are shown, and in what order (sorting and filtering).
#pragma once

#include <QString>
#include <vector>

#include "app/gui/view_state.h"
#include "core/analysis/statistics.h"

namespace lstmscope::app {

// Units in display order. Filters: `selectedOnly` keeps the selected units, and a
// non-empty `ranges` ("0-31, 40, 100-") keeps the listed units. Sorting by mean or variance is largest
// first; by match score, selected units come first in their rule ranking, then the rest by index.
// `moments` are only read when sorting by mean or variance.
std::vector<int> orderUnits(const UnitMoments& moments, const ViewState& state, const std::vector<int>& allowed);

// Parses "0-31, 40, 100-" into a sorted list of units below `units`; an empty text allows all.
// Returns false (and leaves `out` empty) with a message in `error` when the text is not a unit list.
bool parseUnitRanges(const QString& text, int units, std::vector<int>& out, QString& error);

}  // namespace lstmscope::app
