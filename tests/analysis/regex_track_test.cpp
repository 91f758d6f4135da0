// Regular-expression meta tracks (core/analysis/regex_track.h), checked against std::regex (an
// independent engine with the same leftmost-first semantics on these patterns) and on worked examples.
#include "core/analysis/regex_track.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "tests/support/character_steps.h"

namespace lstmscope {
namespace {

using test::characters;

std::string marks(const std::vector<float>& track) {
  std::string s;
  for (float v : track) s += v > 0 ? '1' : '0';
  return s;
}

// Every token (one character each) that a non-empty std::regex match over its document overlaps.
std::vector<float> byStdRegex(const std::string& pattern, const std::string& text,
                              const std::vector<int64_t>& offsets) {
  std::vector<float> out(text.size(), 0.0f);
  const std::regex re(pattern);
  for (size_t d = 0; d + 1 < offsets.size(); ++d) {
    const std::string doc =
        text.substr(static_cast<size_t>(offsets[d]), static_cast<size_t>(offsets[d + 1] - offsets[d]));
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), re); it != std::sregex_iterator(); ++it)
      for (long k = it->position(); k < it->position() + it->length(); ++k)
        out[static_cast<size_t>(offsets[d] + k)] = 1.0f;
  }
  return out;
}

TEST(RegexTrack, MarksTheTokensAMatchOverlaps) {
  const std::string text = R"(say "hi" and "yo")";
  EXPECT_EQ(marks(regexTrack(R"("[^"]*")", characters(text), {0, static_cast<int64_t>(text.size())}, "")),
            "00001111000001111");
  // Leftmost-first: "a" is tried before "ab", as in Perl and Python.
  EXPECT_EQ(marks(regexTrack("a|ab", characters("abab"), {0, 4}, "")), "1010");
  // An empty match marks nothing, and the search still moves on through the text.
  EXPECT_EQ(marks(regexTrack("x*", characters("axxb"), {0, 4}, "")), "0110");
}

TEST(RegexTrack, NeverMatchesAcrossADocumentBorder) {
  EXPECT_EQ(marks(regexTrack("a.a", characters("abab"), {0, 4}, "")), "1110");
  EXPECT_EQ(marks(regexTrack("a.a", characters("abab"), {0, 2, 4}, "")), "0000");
  EXPECT_EQ(marks(regexTrack("^a", characters("abab"), {0, 2, 4}, "")), "1010");  // ^ is each document's start
}

TEST(RegexTrack, WordsAreReadWithASpaceBetweenThem) {
  const std::vector<std::string> words = {"in", "new", "york", "and", "newark"};
  EXPECT_EQ(marks(regexTrack(R"(\bnew york\b)", words, {0, 5}, " ")), "01100");
  EXPECT_EQ(marks(regexTrack("w y", words, {0, 5}, " ")), "01100");
  // The separator itself is no token's: a match of the space alone marks nothing.
  EXPECT_EQ(marks(regexTrack("k a", words, {0, 5}, " ")), "00110");
}

TEST(RegexTrack, MultiByteCharactersAndEmptyMatchesBetweenThem) {
  const std::vector<std::string> tokens = {"é", "a", "ü", "b"};
  EXPECT_EQ(marks(regexTrack("[éü]", tokens, {0, 4}, "")), "1010");
  EXPECT_EQ(marks(regexTrack("(?i)A", tokens, {0, 4}, "")), "0100");
  EXPECT_EQ(marks(regexTrack("", tokens, {0, 4}, "")), "0000");
}

TEST(RegexTrack, AgreesWithStdRegexOnRandomTexts) {
  std::mt19937 rng(5);
  const std::string alphabet = "ab(\"') \n";
  const char* patterns[] = {R"("[^"]*")", R"(\([^()]*\))", "a+b", "b|ab", R"('[^'\n]*')", "a.b", "[ab]{2,3}", " \n"};
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int k = 0; k < n; ++k) text += alphabet[rng() % alphabet.size()];
    std::vector<int64_t> offsets{0};
    for (int d = 0; d < 3; ++d)
      offsets.push_back(std::min<int64_t>(n, offsets.back() + static_cast<int64_t>(rng() % (n + 1))));
    offsets.back() = n;
    for (const char* p : patterns)
      EXPECT_EQ(marks(regexTrack(p, characters(text), offsets, "")), marks(byStdRegex(p, text, offsets)))
          << "pattern " << p << " on '" << text << "'";
  }
}

TEST(RegexTrack, ALongMatchInALongDocumentNeedsNoDeepRecursion) {
  // A backtracking engine recurses once per character of ".*" here and overflows the stack.
  std::string text = "\"" + std::string(2'000'000, 'a') + "\"";
  const std::vector<float> track =
      regexTrack(R"("[^"]*")", characters(text), {0, static_cast<int64_t>(text.size())}, "");
  EXPECT_EQ(std::count(track.begin(), track.end(), 1.0f), static_cast<long>(text.size()));
}

// A pattern with a group gives categories: the group's text at the tokens it overlaps, "-" elsewhere (the
// rest of each match included), numbered in order of first appearance; each document is matched alone.
TEST(RegexTrack, TheFirstGroupsTextIsTheCategory) {
  const std::string text = "def add(x): def sub(y):def add";
  const RegexCategories chars = regexGroupTrack("def ([a-z]+)", characters(text), {0, 20, 30}, "");
  EXPECT_EQ(chars.categories, (std::vector<std::string>{"-", "add", "sub"}));
  std::string shown;
  for (const float v : chars.values) shown += static_cast<char>('0' + static_cast<int>(v));
  EXPECT_EQ(shown, "000011100000000022200000000111");  // "add" at 4-6, "sub" at 16-18, "add" again at 27-29
  // Word tokens, joined by spaces; a group that takes no part marks nothing; (?:) groups do not count.
  const std::vector<std::string> words{"x", "=", "'a'", "+", "y", "=", "b"};
  const RegexCategories quoted = regexGroupTrack("([a-z]) = (?:'|)", words, {0, 7}, " ");
  EXPECT_EQ(quoted.categories, (std::vector<std::string>{"-", "x", "y"}));
  EXPECT_EQ(quoted.values, (std::vector<float>{1, 0, 0, 0, 2, 0, 0}));
  const RegexCategories optional = regexGroupTrack("b(c)?", characters("abcab"), {0, 5}, "");
  EXPECT_EQ(optional.values, (std::vector<float>{0, 0, 1, 0, 0}));
  EXPECT_EQ(regexGroups("a(?:b)c"), 0);
  EXPECT_EQ(regexGroups("a(b)(c)"), 2);
  EXPECT_THROW(regexGroupTrack("abc", characters("abc"), {0, 3}, ""), std::invalid_argument);
}

TEST(RegexTrack, AnInvalidPatternIsNamed) {
  EXPECT_NE(regexProblem("(unclosed"), "");
  EXPECT_EQ(regexProblem("a(b)c"), "");
  EXPECT_THROW(regexTrack("(", characters("a"), {0, 1}, ""), std::invalid_argument);
}

}  // namespace
}  // namespace lstmscope
