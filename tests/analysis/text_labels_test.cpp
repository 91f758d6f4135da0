// The built-in labels (docs/PROBES.md "Built-in labels") on texts labelled by hand: nested brackets of
// every kind, escaped and triple quotes, apostrophes, comments inside strings and strings inside comments,
// C and Python comment styles, tabs and spaces, words, and documents read from their own start.
#include "core/analysis/text_labels.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/character_steps.h"

namespace lstmscope {
namespace {

using test::characters;
using Values = std::vector<double>;

Values label(const std::string& name, const std::string& text) {
  return builtinLabel(name, characters(text), {0, static_cast<int64_t>(text.size())}, "");
}

TEST(BuiltinLabels, BracketDepthsPerKindAndTogether) {
  const std::string text = "f([{x}]) ) ";
  //                         f  (  [  {  x  }  ]  )     )
  EXPECT_EQ(label("bracket-depth", text), (Values{0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 0}));
  EXPECT_EQ(label("paren-depth", text), (Values{0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(label("square-depth", text), (Values{0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(label("curly-depth", text), (Values{0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}));
}

TEST(BuiltinLabels, QuotesWithEscapesAndBracketsInsideThemDoNotCount) {
  const std::string text = "a('(\\'',\"[\")";
  //                         a  (  '  (  \  '  '  ,  "  [  "  )
  EXPECT_EQ(label("quote", text), (Values{0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(label("single-quote", text), (Values{0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(label("double-quote", text), (Values{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(label("bracket-depth", text), (Values{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(label("inside-quotes", text), label("quote", text));  // the meta tracks' older name
}

TEST(BuiltinLabels, TripleQuotesSpanLinesAndApostrophesAreNoQuotes) {
  const std::string doc = "\"\"\"it's\n\"a\"\"\"\"x";
  //                        "  "  "  i  t  '  s  \n "  a  "  "  "  "  x
  EXPECT_EQ(label("double-quote", doc), (Values{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1}));
  EXPECT_EQ(label("single-quote", doc), Values(15, 0.0));
  // Between two letters a ' is an apostrophe, unless a string prefix precedes it (f'…', rb'…').
  EXPECT_EQ(label("quote", "don't f'x'"), (Values{0, 0, 0, 0, 0, 0, 0, 1, 1, 0}));
  // An unterminated one-line string ends with its line.
  EXPECT_EQ(label("quote", "'ab\nc"), (Values{1, 1, 1, 0, 0}));
}

TEST(BuiltinLabels, CommentsInPythonStyleTextAndStringsInsideThem) {
  const std::string text = "x#'(\ny//2(\"#\")";
  //                         x  #  '  (  \n y  /  /  2  (  "  #  "  )
  EXPECT_EQ(label("comment", text), (Values{0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(label("quote", text), (Values{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(label("bracket-depth", text), (Values{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0}));
}

TEST(BuiltinLabels, CommentsInCLikeText) {
  const std::string text = "a/*(*/b//'\n#c";
  //                         a  /  *  (  *  /  b  /  /  '  \n #  c
  // A closing delimiter is outside, as a closing quote is: its first character already ends the comment.
  EXPECT_EQ(label("comment", text), (Values{0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(label("bracket-depth", text), Values(13, 0.0));
  EXPECT_EQ(label("quote", text), Values(13, 0.0));
}

TEST(BuiltinLabels, IndentLinePositionAndNewlineDistanceWithTabsAndSpaces) {
  const std::string text = "\t x\n  yz\n";
  //                         \t    x  \n       y  z  \n
  EXPECT_EQ(label("indent", text), (Values{1, 2, 2, 0, 1, 2, 2, 2, 0}));
  EXPECT_EQ(label("indentation", text), label("indent", text));
  EXPECT_EQ(label("line-position", text), (Values{1, 2, 3, 0, 1, 2, 3, 4, 0}));
  EXPECT_EQ(label("newline-distance", text), (Values{2, 1, 0, 4, 3, 2, 1, 0, 0}));
}

TEST(BuiltinLabels, NonAsciiCharactersCountOnce) {
  // "é" is two bytes, and a character model gives it one step; positions count characters.
  const std::vector<std::string> tokens{"é", "a", "\n", "b"};
  EXPECT_EQ(builtinLabel("line-position", tokens, {0, 4}, ""), (Values{1, 2, 0, 1}));
  EXPECT_EQ(builtinLabel("newline-distance", tokens, {0, 4}, ""), (Values{1, 0, 1, 0}));
  EXPECT_EQ(builtinLabel("word-boundary", tokens, {0, 4}, ""), (Values{0, 1, 0, 1}));
}

TEST(BuiltinLabels, WordsJoinedWithSpacesAndDocumentsFromTheirOwnStart) {
  const std::vector<std::string> words{"print", "(", "\"a", "b\"", ")", "x", "("};
  const std::vector<int64_t> offsets{0, 5, 7};  // two documents
  EXPECT_EQ(builtinLabel("quote", words, offsets, " "), (Values{0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(builtinLabel("bracket-depth", words, offsets, " "), (Values{0, 1, 1, 1, 0, 0, 1}));
  EXPECT_EQ(builtinLabel("line-position", words, offsets, " "), (Values{5, 7, 10, 13, 15, 1, 3}));
  EXPECT_EQ(builtinLabel("word-boundary", words, offsets, " "), (Values{1, 0, 1, 0, 0, 1, 0}));
  EXPECT_EQ(builtinLabel("document", words, offsets, " "), (Values{0, 0, 0, 0, 0, 1, 1}));
}

TEST(BuiltinLabels, NamesAndUnknownNames) {
  EXPECT_NE(findBuiltinLabel("comment"), nullptr);
  EXPECT_TRUE(findBuiltinLabel("comment")->binary);
  EXPECT_FALSE(findBuiltinLabel("bracket-depth")->binary);
  EXPECT_EQ(findBuiltinLabel("depth"), nullptr);
  EXPECT_NE(builtinLabelNames().find("newline-distance"), std::string::npos);
  EXPECT_THROW(builtinLabel("depth", {"a"}, {0, 1}, ""), std::invalid_argument);
  EXPECT_TRUE(builtinLabel("quote", {}, {0, 0}, "").empty());
}

}  // namespace
}  // namespace lstmscope
