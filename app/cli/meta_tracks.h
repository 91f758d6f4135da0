// record's meta tracks (docs/CLI.md "Meta tracks"): built in (bracket depth, inside quotes, position in
// line, indentation, document), the tokens a regular expression matches, or read from a file of labels,
// one per token or one per document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/cli/command_options.h"
#include "core/formats/trace_meta.h"

namespace lstmscope::cli {

// `surface`: each step's text; `offsets`: D+1 document offsets (a single text: {0, T}); `separator`: what
// stands between two tokens in the text a regular expression reads ("" for characters, " " for words).
// Throws InputError naming the file for a label count that is neither the tokens' nor the documents'.
std::vector<MetaTrack> buildMetaTracks(const std::vector<MetaSpec>& specs, const std::vector<std::string>& surface,
                                       const std::vector<int64_t>& offsets, const std::string& separator);

}  // namespace lstmscope::cli
