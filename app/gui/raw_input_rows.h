// A features model's raw input, before its front end: what attribution goes back to (docs/ATTRIBUTION.md
// "Through the front end"). The rows of the table (or the token ids of a text read through an embedding
// lookup), each one's display text, and the rows each LSTM step reads; made with the analysis, read by the
// Attribution dock.
#pragma once

#include <QStringList>
#include <memory>
#include <vector>

#include "core/formats/sequence_input.h"

namespace lstmscope::app {

struct RawInputRows {
  Mat<double> values;               // rawFeatureDim × rows, or one id per column
  QStringList tokens;               // each row's (or token's) text
  std::vector<RowSpan> rowsOfStep;  // empty when step t is row t

  long rows() const { return values.cols(); }
  // The last row step `step` reads (the row the step is shown at).
  long lastRowOf(long step) const;
  // The first step that reads row `row`, for a click on it; the nearest step after when none reads it.
  long firstStepReading(long row) const;
};

// How the Attribution dock names the positions its values are on: the LSTM's steps, or, when the methods
// went through the front end, the table's rows or the text's tokens.
struct PositionWords {
  bool rows = false;  // a table's rows: the text view's headers say "rows 0–23"
  QString captions;   // the bar chart's two label rows: "token\nstep", "label\nrow", "token\nposition"
  QString csvHeader;  // "step,token,attribution", "row,token,attribution", "position,token,attribution"
};
PositionWords positionWords(const Architecture& arch, bool onRawInput);

// The raw rows of `encoded`, or null for a model without a front end.
std::shared_ptr<const RawInputRows> rawInputRowsOf(const EncodedText& encoded);

}  // namespace lstmscope::app
