// Built-in labels: properties of text and code that LSTM units are known to track (Karpathy, Johnson &
// Fei-Fei 2015: quote, bracket-depth and line-length cells), one value per token, computed from each
// document's text alone. Meta tracks (`record --meta NAME=builtin:…`), the probes (`probe --label
// builtin:…`) and the app's opening unit all read them from here, so a name means one thing everywhere.
// Exact definitions: docs/PROBES.md "Built-in labels".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lstmscope {

struct BuiltinLabel {
  std::string name;         // "bracket-depth", "quote", …
  std::string description;  // one line, for --help and the app
  bool binary = false;      // 0/1 (inside something), else a count
};

// Every built-in label, in the order --help lists them.
const std::vector<BuiltinLabel>& builtinLabels();
// "bracket-depth, paren-depth, …": every name, for messages.
std::string builtinLabelNames();
// The label called `name` (aliases: inside-quotes = quote, indentation = indent), or nullptr.
const BuiltinLabel* findBuiltinLabel(const std::string& name);

// The label over a whole input: each document (steps [offsets[d], offsets[d+1])) is read alone, from its
// own start, as its tokens joined with `separator` ("" for characters, " " for words). The value of a
// step describes the text up to the end of its token (for newline-distance and word-boundary: also what
// follows it). Throws std::invalid_argument for an unknown name.
std::vector<double> builtinLabel(const std::string& name, const std::vector<std::string>& tokens,
                                 const std::vector<int64_t>& offsets, const std::string& separator);

}  // namespace lstmscope
