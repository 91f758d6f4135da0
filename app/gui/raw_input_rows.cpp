#include "app/gui/raw_input_rows.h"

#include <QObject>

#include "core/attribution/front_end_attribution.h"

namespace lstmscope::app {

long RawInputRows::lastRowOf(long step) const {
  return lastRowReadBy(rowsOfStep, step);
}

long RawInputRows::firstStepReading(long row) const {
  if (rowsOfStep.empty()) return row;
  for (size_t t = 0; t < rowsOfStep.size(); ++t)
    if (!rowsOfStep[t].empty() && rowsOfStep[t].last >= row) return static_cast<long>(t);
  return static_cast<long>(rowsOfStep.size()) - 1;
}

PositionWords positionWords(const Architecture& arch, bool onRawInput) {
  switch (attributedPositions(arch, onRawInput)) {
    case AttributedPositions::Rows:
      return {true, QObject::tr("label\nrow"), QStringLiteral("row,token,attribution")};
    case AttributedPositions::Tokens:
      return {false, QObject::tr("token\nposition"), QStringLiteral("position,token,attribution")};
    case AttributedPositions::Steps:
      break;
  }
  return {false, QObject::tr("token\nstep"), QStringLiteral("step,token,attribution")};
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
