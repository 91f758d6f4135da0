// Meta tracks of a trace (docs/FORMAT.md "Meta tracks"): one annotation per step, a number or a category,
// stored as /meta/<name> and shown under the tokens; LSTMVis's meta tracks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/formats/hdf5.h"

namespace lstmscope {

struct MetaTrack {
  std::string name;                     // letters, digits, '_' and '-'
  std::string source;                   // what made it: "file:PATH", "builtin:bracket-depth", …
  std::vector<float> values;            // one per step: the number, or the category's index
  std::vector<std::string> categories;  // empty: numbers; else the categories, in order of first appearance
  bool categorical() const { return !categories.empty(); }
};

// True for a name a track can have.
bool validMetaName(const std::string& name);

void writeMetaTrack(hid_t root, const MetaTrack& track);
// The tracks of a trace, by name (none when it has no /meta).
std::vector<std::string> metaTrackNames(hid_t root, const std::string& file);
// Refuses a track whose length is not `steps`, or whose category indices are out of range, naming it.
// With a range, only those steps' values are read (and checked).
MetaTrack readMetaTrack(hid_t root, const std::string& name, long steps, const std::string& file,
                        const std::optional<h5::RowRange>& range = std::nullopt);

}  // namespace lstmscope
