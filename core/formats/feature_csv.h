// Numeric sequences from CSV text: one row per step, one column per feature, optional header row. Columns
// that are not numbers (a date, an id) or a pandas index are kept as labels for the steps, not features.
#pragma once

#include <string>
#include <vector>

#include "core/engine/tape.h"
#include "core/model/window_layers.h"

namespace lstmscope {

struct FeatureSequence {
  Inputs<float> inputs;  // batch 1, features (D, T): what the first LSTM reads
  // The table's own features (raw D, T) when the model has a front end (Architecture::frontEnd) that turned
  // them into `inputs`; empty otherwise.
  Mat<float> rawFeatures;
  // When the front end has window layers (a convolution, a pooling), the rows each LSTM step is computed from;
  // empty when step t is row t.
  std::vector<RowSpan> rowsOfStep;
  std::vector<std::string> stepNames;     // an encoder–decoder's steps ("out 1", …), which read every row
  std::vector<std::string> featureNames;  // D: the header's names, else "column 1", "column 2", …
  // Columns that are not features, with each step's text: [k] name, [k][t] cell.
  std::vector<std::string> labelNames;
  std::vector<std::vector<std::string>> labelCells;
  std::vector<std::string> notes;  // what was decided without the file saying so (a skipped index column)
  // A corpus's table that gives no step through the model's front end (too short for its windows): why,
  // naming the file. Empty otherwise.
  std::string noStep;

  long steps() const { return inputs.steps; }
  // Every column a step can be labelled by: features first, then label columns.
  std::vector<std::string> labelChoices() const;
  // Each step's label: column < 0 the step number, else labelChoices()[column]'s cell (features as written
  // back with %g, which shows the float32 the model reads). A step computed from a span of rows (rowsOfStep)
  // is labelled with its rows ("4–7", 0-based as step numbers are), or with the cell of the last row it reads.
  // A decoder's steps keep their names ("out 1", …) whatever the column: each reads every row.
  std::vector<std::string> stepLabels(int column) const;
  // Each row of the table labelled the same way (the row's number, or its cell of the column): what
  // attribution through the front end is shown against.
  std::vector<std::string> rowLabels(int column) const;

 private:
  std::string rowLabel(int column, long row) const;
};

// Parses `text` for a model with `arch.rawFeatureDim()` features (then through its front end, if any). Comma, semicolon
// or tab separated (the first line decides), cells may be double-quoted. Throws InputError naming `sourceName`, the
// line and the column for: a model that reads text, no data rows, fewer rows than the front end's windows need, rows of
// different lengths, a feature cell that is not a finite number, a feature count other than the model's, or more than
// `maxSteps` rows (the message ends with `limitAdvice`, how the caller's user raises the limit, if any).
// `noStepAllowed`: a table too short for the windows of the model's front end gives no step (and `noStep`
// says why) instead of an error, as a corpus's documents need.
FeatureSequence parseFeatureCsv(const Architecture& arch, const std::string& text, const std::string& sourceName,
                                long maxSteps, const std::string& limitAdvice = {}, bool noStepAllowed = false);

}  // namespace lstmscope
