// Structures of a text that LSTM cells are known to track (Karpathy, Johnson & Fei-Fei 2015: a quote cell,
// a bracket-depth cell, a line-length cell), one value per step, and the unit that tracks one of them
// best. The app opens on that unit so that a new user sees what the tool is for (docs/APP.md).
#pragma once

#include <string>
#include <vector>

#include "core/model/model.h"

namespace lstmscope {

struct TextProperty {
  std::string name;  // "bracket depth", "inside quotes", "position in line"
  Vec<double> values;
};

// After each step's token: bracket depth, inside quotes and position in line, as the built-in labels of the
// same names define them (core/analysis/text_labels.h).
std::vector<TextProperty> textProperties(const std::vector<std::string>& stepTokens);

struct TrackingUnit {
  std::string property;    // empty: no property is tracked, `unit` is the unit with the largest variance
  int unit = -1;           // -1: no units or no steps
  double correlation = 0;  // Pearson r of the unit's row with the property (signed)
};

// |r| at least this much counts as tracking a property.
constexpr double kTrackingCorrelation = 0.5;

// The unit (row of `values`, (H, T)) whose values correlate best (largest |Pearson r|) with one of the
// properties; properties and units that are constant over the steps are skipped. Below
// kTrackingCorrelation, the unit with the largest variance instead.
TrackingUnit bestTrackingUnit(const Mat<float>& values, const std::vector<TextProperty>& properties);

}  // namespace lstmscope
