// UTF-8 handling and tokenization: the errors users see for bad text.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/formats/feature_csv.h"
#include "core/formats/sequence_input.h"
#include "core/text/utf8.h"
#include "core/text/vocabulary.h"

namespace lstmscope::test {
namespace {

std::string errorOf(const Vocabulary& v, const std::string& text) {
  try {
    tokenize(v, text, "input.txt");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Utf8, ValidatesAndLocatesBadBytes) {
  EXPECT_TRUE(validateUtf8("plain ascii").ok);
  EXPECT_TRUE(validateUtf8("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80").ok);
  const Utf8Issue bad = validateUtf8("ab\ncd\xff");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.byteOffset, 5u);
  EXPECT_EQ(bad.line, 2);
  EXPECT_EQ(bad.column, 3);
  EXPECT_FALSE(validateUtf8("\xc0\xaf").ok);          // overlong '/'
  EXPECT_FALSE(validateUtf8("\xed\xa0\x80").ok);      // surrogate
  EXPECT_FALSE(validateUtf8("\xf4\x90\x80\x80").ok);  // above U+10FFFF
  EXPECT_FALSE(validateUtf8("\xe4\xb8").ok);          // truncated sequence
}

TEST(Utf8, SplitsAndLowercases) {
  EXPECT_EQ(splitCodePoints("a\xc3\xa9\xe4\xb8\xad"), (std::vector<std::string>{"a", "\xc3\xa9", "\xe4\xb8\xad"}));
  EXPECT_EQ(lowercaseUtf8("ABC \xc3\x89t\xc3\xa9 \xce\x94 \xd0\x96 \xc5\x81"),
            "abc \xc3\xa9t\xc3\xa9 \xce\xb4 \xd0\xb6 \xc5\x82");
}

TEST(Tokenize, CharLevelWithAndWithoutUnk) {
  const Vocabulary noUnk(TokenLevel::Char, {"a", "b", "\n"});
  const TokenizedText t = tokenize(noUnk, "ab\nba", "x");
  EXPECT_EQ(t.ids, (std::vector<int32_t>{0, 1, 2, 1, 0}));
  EXPECT_EQ(errorOf(noUnk, "ab\nbz"),
            "input.txt: character 'z' at line 2, column 2 is not in the model's vocabulary, and the vocabulary has "
            "no UNK token");
  const Vocabulary withUnk(TokenLevel::Char, {"a", "?"}, false, "?");
  EXPECT_EQ(tokenize(withUnk, "azA", "x").ids, (std::vector<int32_t>{0, 1, 1}));
  const Vocabulary lower(TokenLevel::Char, {"a", "?"}, true, "?");
  EXPECT_EQ(tokenize(lower, "azA", "x").ids, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(tokenize(lower, "azA", "x").surface, (std::vector<std::string>{"a", "z", "A"}));
}

// Where the unknown tokens are, so that the app can mark them in its editor: byte ranges of the text as given.
std::vector<TextSpan> spansOf(const Vocabulary& v, const std::string& text) {
  try {
    tokenize(v, text, "input.txt");
  } catch (const TextInputError& e) {
    return e.spans();
  }
  return {};
}

TEST(Tokenize, ErrorsMarkEveryUnknownToken) {
  const Vocabulary chars(TokenLevel::Char, {"a", "b", "\n"});
  // "z" at byte 1, "é" (2 bytes) at byte 4, "q" at byte 8; the message still names the first.
  EXPECT_EQ(spansOf(chars,
                    "az\na\xc3\xa9"
                    "b\nq"),
            (std::vector<TextSpan>{{1, 1}, {4, 2}, {8, 1}}));
  EXPECT_EQ(errorOf(chars,
                    "az\na\xc3\xa9"
                    "b\nq"),
            "input.txt: character 'z' at line 1, column 2 is not in the model's vocabulary, and the vocabulary has "
            "no UNK token");
  // Offsets count the byte-order mark, which the editor shows as a character.
  EXPECT_EQ(spansOf(chars,
                    "\xEF\xBB\xBF"
                    "az"),
            (std::vector<TextSpan>{{4, 1}}));
  const Vocabulary words(TokenLevel::Word, {"the", "cat"});
  EXPECT_EQ(spansOf(words, "the dog  cat sat"), (std::vector<TextSpan>{{4, 3}, {13, 3}}));
  EXPECT_EQ(spansOf(chars, "aa\x80"), (std::vector<TextSpan>{{2, 1}}));  // the bad byte
  EXPECT_THROW(tokenize(chars, "", "x"), TextInputError);
}

TEST(Tokenize, WordLevelKeepsSurfaceText) {
  const Vocabulary v(TokenLevel::Word, {"the", "cat", "<unk>"}, true, "<unk>");
  const TokenizedText t = tokenize(v, "The  cat\tsat\n", "x");
  EXPECT_EQ(t.ids, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(t.surface, (std::vector<std::string>{"The", "cat", "sat"}));
  EXPECT_EQ(errorOf(v, "  \n "), "input.txt: the text has no words (only white space)");
}

TEST(Tokenize, EmptyAndNonUtf8TextAreClearErrors) {
  const Vocabulary v(TokenLevel::Char, {"a"});
  EXPECT_EQ(errorOf(v, ""), "input.txt: the text is empty");
  EXPECT_EQ(tokenize(v,
                     "\xEF\xBB\xBF"
                     "aa",
                     "x")
                .ids,
            (std::vector<int32_t>{0, 0}));  // byte-order mark skipped
  EXPECT_EQ(errorOf(v, "aa\x80"), "input.txt: not valid UTF-8: bad byte 0x80 at offset 2 (line 1, column 3)");
}

TEST(Vocabulary, RefusesDuplicatesAndMissingUnk) {
  EXPECT_THROW(Vocabulary(TokenLevel::Char, {"a", "a"}), InputError);
  EXPECT_THROW(Vocabulary(TokenLevel::Char, {"a"}, false, "<unk>"), InputError);
}

TEST(FeatureCsv, ReadsRowsAndRefusesBadOnes) {
  Architecture a;
  a.inputKind = InputKind::Features;
  a.featureDim = 2;
  const Inputs<float> in = parseFeatureCsv(a, "x,y\n1,2\n3.5, -4e-1\n", "good.csv", 100).inputs;
  EXPECT_EQ(in.steps, 2);
  EXPECT_FLOAT_EQ(in.features(0, 1), 3.5f);
  EXPECT_FLOAT_EQ(in.features(1, 1), -0.4f);
  try {
    parseFeatureCsv(a, "1,2\n3\n", "bad.csv", 100);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "bad.csv: line 2 has 1 values but the model expects 2 features per step");
  }
  EXPECT_THROW(parseFeatureCsv(a, "1,nan\n", "bad.csv", 100), InputError);
}

}  // namespace
}  // namespace lstmscope::test
