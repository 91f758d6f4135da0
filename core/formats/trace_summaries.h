// Unit summaries stored in a trace (docs/FORMAT.md "Unit summaries"): /summaries/<L>/<dir>/<q>, written by
// `record` and read by the unit dashboard.
#pragma once

#include <string>

#include "core/analysis/unit_summary.h"
#include "core/engine/record.h"
#include "core/formats/hdf5.h"

namespace lstmscope {

std::string unitSummaryPath(int layer, const std::string& direction, Quantity q);
void writeUnitSummaries(hid_t root, const std::string& path, const UnitSummaries& summaries);
// The summaries of all `units` units at `path`, checked: every dataset has one row per unit and the
// shapes the attributes give, counts are not negative, and kept steps are -1 or steps of the trace.
// Throws InputError naming `file` and the dataset.
UnitSummaries readUnitSummaries(hid_t root, const std::string& path, int units, long steps, const std::string& file);

}  // namespace lstmscope
