// Where a label or meta track comes from (docs/PROBES.md "Labels"): a built-in property of the text, the
// tokens a regular expression matches, or a file of labels. Shared by `record --meta`, `probe` and the
// app's Probes dock, so that a spec means the same everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/formats/trace_meta.h"
#include "core/probing/probe_label.h"

namespace lstmscope {

// A file of labels, one per line (in a .tsv or .csv file: the row's last field), one per token or one per
// document (every step of the document gets it). All numbers: a number track, else categories in order of
// first appearance. Throws InputError naming the file for another count of lines.
MetaTrack labelFileTrack(const std::string& file, const std::string& name, long steps,
                         const std::vector<int64_t>& offsets);

// What stands between two tokens in the text a regular expression or a built-in label reads: nothing when
// every token is one character (a character model), else a space (words, whose spaces the tokens lose).
std::string tokenSeparator(const std::vector<std::string>& tokens);

// The label `spec` — builtin:NAME, regex:PATTERN or file:PATH — over the tokens of documents `offsets`.
// Throws std::invalid_argument for an unknown builtin, an invalid pattern or another prefix; InputError for
// a label file that does not fit.
ProbeLabel probeLabelFromSpec(const std::string& spec, const std::vector<std::string>& tokens,
                              const std::vector<int64_t>& offsets, const std::string& separator);

// Labels computed from the text (builtin:, regex:) read one token per step. When each step reads a window of
// several tokens (a front end's; stepsReadTokenWindows), the steps' texts overlap and such labels would be
// wrong: InputError naming `where` and what to give instead.
void requireTokenPerStep(const std::string& spec, bool stepsReadTokenWindows, const std::string& where);

}  // namespace lstmscope
