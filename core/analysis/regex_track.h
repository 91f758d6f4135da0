// A meta track from a regular expression (docs/CLI.md "record", --meta NAME=regex:PATTERN): 1 at every
// token that overlaps a match, 0 elsewhere. RE2 runs it in time linear in the text, without the deep
// recursion that backtracking engines (std::regex) hit on long matches in a long document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lstmscope {

// Empty when `pattern` is a valid RE2 expression, else what is wrong with it.
std::string regexProblem(const std::string& pattern);

// The track over a whole input: each document (steps [offsets[d], offsets[d+1])) is matched alone, as its
// tokens joined with `separator` between them ("" for characters, " " for words, whose spaces the tokens
// do not keep). Matches are found left to right without overlap (Perl/Python semantics: the leftmost
// match, its alternatives tried in order); a match marks every token whose text it overlaps, an empty
// match marks nothing. Throws std::invalid_argument for an invalid pattern (check regexProblem first).
std::vector<float> regexTrack(const std::string& pattern, const std::vector<std::string>& tokens,
                              const std::vector<int64_t>& offsets, const std::string& separator);

// The capturing groups of a valid pattern (0 for an invalid one).
int regexGroups(const std::string& pattern);

// The category of tokens no group's text overlaps.
inline constexpr const char* kOutsideGroup = "-";

// A categorical track from the pattern's first capturing group (docs/PROBES.md "Labels"): the tokens that
// the group's text overlaps in a match (matched as regexTrack matches) get that text as their category;
// every other token, and those of a match whose group took no part or matched nothing, the category "-"
// (index 0). Categories are numbered in order of first appearance after "-". Throws std::invalid_argument
// for an invalid pattern or one without a group.
struct RegexCategories {
  std::vector<float> values;
  std::vector<std::string> categories;
};
RegexCategories regexGroupTrack(const std::string& pattern, const std::vector<std::string>& tokens,
                                const std::vector<int64_t>& offsets, const std::string& separator);

}  // namespace lstmscope
