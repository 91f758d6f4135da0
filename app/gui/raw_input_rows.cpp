#include "app/gui/raw_input_rows.h"

namespace lstmscope::app {

long RawInputRows::lastRowOf(long step) const {
  if (rowsOfStep.empty()) return step;
  if (step < 0 || step >= static_cast<long>(rowsOfStep.size())) return -1;
  return rowsOfStep[static_cast<size_t>(step)].last;  // -1 or less for a step that reads padding only
}

long RawInputRows::firstStepReading(long row) const {
  if (rowsOfStep.empty()) return row;
  for (size_t t = 0; t < rowsOfStep.size(); ++t)
    if (!rowsOfStep[t].empty() && rowsOfStep[t].last >= row) return static_cast<long>(t);
  return static_cast<long>(rowsOfStep.size()) - 1;
}

std::shared_ptr<const RawInputRows> rawInputRowsOf(const EncodedText& encoded) {
  if (encoded.raw.size() == 0) return nullptr;
  auto rows = std::make_shared<RawInputRows>();
  rows->values = encoded.raw.cast<double>();
  for (const std::string& s : encoded.rawSurface) rows->tokens << QString::fromStdString(s);
  rows->rowsOfStep = encoded.rowsOfStep;
  return rows;
}

}  // namespace lstmscope::app
