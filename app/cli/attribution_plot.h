// `lstmscope-cli attribute --out FILE.png|.svg|.pdf`: the attribution figure as the desktop app draws it
// (viz::AttributionTextView), rendered without a display on Qt's offscreen platform.
#pragma once

#include <string>
#include <vector>

#include "core/model/model.h"

namespace lstmscope::cli {

struct AttributionPlot {
  std::vector<std::string> tokens;  // each step's text
  Vec<double> values;               // per token
  std::string title;                // model, method, target, baseline, steps, delta
  std::string label;                // the method
  std::string note;                 // delta or conservation, drawn beside the label
  bool warning = false;             // draw the note in red
  long targetStep = 0;
  // Tokens drawn apart (words, table rows), as the app draws them, rather than run together (characters).
  bool separateTokens = false;
  std::string boxedMeaning = "the target step";  // the legend's words for the boxed token
  bool positionsAreRows = false;                 // the values are on a table's rows: headers say "rows 0–23"
};

// Throws InputError naming the file when it cannot be written (an existing file is left untouched).
void writeAttributionPlot(const std::string& path, const AttributionPlot& plot);

}  // namespace lstmscope::cli
