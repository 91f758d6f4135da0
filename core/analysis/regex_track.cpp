#include "core/analysis/regex_track.h"

#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>

namespace lstmscope {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);            // the caller reports the problem, naming the option
  o.set_max_mem(int64_t(256) << 20);  // room for large alternations of words
  return o;
}

// One document: its text, where each token starts in it, and which tokens a match overlaps.
void markDocument(const RE2& re, const std::vector<std::string>& tokens, long first, long end,
                  const std::string& separator, std::vector<float>& out) {
  std::string text;
  std::vector<size_t> starts, ends;
  for (long t = first; t < end; ++t) {
    if (t > first) text += separator;
    starts.push_back(text.size());
    text += tokens[static_cast<size_t>(t)];
    ends.push_back(text.size());
  }
  // +1 at the first token a match overlaps, -1 after the last: a running sum marks them all.
  std::vector<int> change(static_cast<size_t>(end - first) + 1, 0);
  const re2::StringPiece all(text);
  size_t at = 0;
  re2::StringPiece match;
  while (at <= text.size() && re.Match(all, at, text.size(), RE2::UNANCHORED, &match, 1)) {
    const size_t a = static_cast<size_t>(match.data() - text.data()), b = a + match.size();
    if (b > a) {
      // Tokens overlapping [a, b): those that end after a and start before b (empty tokens never do).
      const size_t lo = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), a) - ends.begin());
      const size_t hi = static_cast<size_t>(std::lower_bound(starts.begin(), starts.end(), b) - starts.begin());
      if (lo < hi) ++change[lo], --change[hi];
      at = b;
    } else {
      // An empty match: move on by one character (a whole UTF-8 sequence).
      at = a + 1;
      while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    }
  }
  int inside = 0;
  for (long k = 0; k < end - first; ++k) {
    inside += change[static_cast<size_t>(k)];
    out[static_cast<size_t>(first + k)] =
        inside > 0 && ends[static_cast<size_t>(k)] > starts[static_cast<size_t>(k)] ? 1.0f : 0.0f;
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

}  // namespace lstmscope
