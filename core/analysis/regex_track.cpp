#include "core/analysis/regex_track.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace lstmscope {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);            // the caller reports the problem, naming the option
  o.set_max_mem(int64_t(256) << 20);  // room for large alternations of words
  return o;
}

// One document's text (its tokens joined by the separator) and where each token starts and ends in it.
struct DocumentText {
  std::string text;
  std::vector<size_t> starts, ends;
  DocumentText(const std::vector<std::string>& tokens, long first, long end, const std::string& separator) {
    for (long t = first; t < end; ++t) {
      if (t > first) text += separator;
      starts.push_back(text.size());
      text += tokens[static_cast<size_t>(t)];
      ends.push_back(text.size());
    }
  }
  // The tokens overlapping [a, b), as [lo, hi): those that end after a and start before b.
  std::pair<size_t, size_t> tokensOver(size_t a, size_t b) const {
    const size_t lo = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), a) - ends.begin());
    const size_t hi = static_cast<size_t>(std::lower_bound(starts.begin(), starts.end(), b) - starts.begin());
    return {lo, std::max(lo, hi)};
  }
  bool empty(size_t k) const { return ends[k] == starts[k]; }
};

// Calls found(match) for every match (submatch 0 and the first group, when the pattern has one), left to
// right without overlap; an empty match moves on by one character (a whole UTF-8 sequence).
template <class Found>
void forEachMatch(const RE2& re, const std::string& text, const Found& found) {
  const re2::StringPiece all(text);
  const int groups = std::min(re.NumberOfCapturingGroups(), 1) + 1;
  re2::StringPiece match[2];
  size_t at = 0;
  while (at <= text.size() && re.Match(all, at, text.size(), RE2::UNANCHORED, match, groups)) {
    const size_t a = static_cast<size_t>(match[0].data() - text.data()), b = a + match[0].size();
    if (b > a) {
      found(match, groups);
      at = b;
    } else {
      at = a + 1;
      while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    }
  }
}

// One document's 0/1 marks: 1 at the tokens a match overlaps.
void markDocument(const RE2& re, const std::vector<std::string>& tokens, long first, long end,
                  const std::string& separator, std::vector<float>& out) {
  const DocumentText doc(tokens, first, end, separator);
  // +1 at the first token a match overlaps, -1 after the last: a running sum marks them all.
  std::vector<int> change(static_cast<size_t>(end - first) + 1, 0);
  forEachMatch(re, doc.text, [&](const re2::StringPiece* match, int) {
    const size_t a = static_cast<size_t>(match[0].data() - doc.text.data());
    const auto [lo, hi] = doc.tokensOver(a, a + match[0].size());
    if (lo < hi) ++change[lo], --change[hi];
  });
  int inside = 0;
  for (long k = 0; k < end - first; ++k) {
    inside += change[static_cast<size_t>(k)];
    out[static_cast<size_t>(first + k)] = inside > 0 && !doc.empty(static_cast<size_t>(k)) ? 1.0f : 0.0f;
  }
}

}  // namespace

std::string regexProblem(const std::string& pattern) {
  const RE2 re(pattern, options());
  return re.ok() ? std::string() : re.error();
}

std::vector<float> regexTrack(const std::string& pattern, const std::vector<std::string>& tokens,
                              const std::vector<int64_t>& offsets, const std::string& separator) {
  const RE2 re(pattern, options());
  if (!re.ok()) throw std::invalid_argument("regexTrack: " + re.error());
  std::vector<float> out(tokens.size(), 0.0f);
  for (size_t d = 0; d + 1 < offsets.size(); ++d) markDocument(re, tokens, offsets[d], offsets[d + 1], separator, out);
  return out;
}

int regexGroups(const std::string& pattern) {
  const RE2 re(pattern, options());
  return re.ok() ? re.NumberOfCapturingGroups() : 0;
}

RegexCategories regexGroupTrack(const std::string& pattern, const std::vector<std::string>& tokens,
                                const std::vector<int64_t>& offsets, const std::string& separator) {
  const RE2 re(pattern, options());
  if (!re.ok()) throw std::invalid_argument("regexTrack: " + re.error());
  if (re.NumberOfCapturingGroups() < 1) throw std::invalid_argument("regexGroupTrack: the pattern has no group");
  RegexCategories out;
  out.values.assign(tokens.size(), 0.0f);
  out.categories = {kOutsideGroup};
  std::map<std::string, float> ids;
  for (size_t d = 0; d + 1 < offsets.size(); ++d) {
    const long first = offsets[d];
    const DocumentText doc(tokens, first, offsets[d + 1], separator);
    forEachMatch(re, doc.text, [&](const re2::StringPiece* match, int) {
      if (match[1].data() == nullptr || match[1].empty()) return;  // the group took no part, or nothing
      const std::string text(match[1].data(), match[1].size());
      auto it = ids.find(text);
      if (it == ids.end()) {
        it = ids.emplace(text, static_cast<float>(out.categories.size())).first;
        out.categories.push_back(text);
      }
      const size_t a = static_cast<size_t>(match[1].data() - doc.text.data());
      const auto [lo, hi] = doc.tokensOver(a, a + match[1].size());
      for (size_t k = lo; k < hi; ++k)
        if (!doc.empty(k)) out.values[static_cast<size_t>(first) + k] = it->second;
    });
  }
  return out;
}

}  // namespace lstmscope
