// UTF-8 handling and tokenization: the errors users see for bad text.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/formats/feature_csv.h"
#include "core/formats/sequence_input.h"
#include "core/text/text_tokenizer.h"
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
  // A model opened without its vocabulary reads the numbers 0 … V-1: text says to give the vocabulary.
  const Vocabulary numbers(TokenLevel::Word, {"0", "1", "2"});
  EXPECT_TRUE(numbers.isNumbersOnly());
  EXPECT_FALSE(noUnk.isNumbersOnly());
  EXPECT_EQ(tokenize(numbers, "2 0 1", "x").ids, (std::vector<int32_t>{2, 0, 1}));
  EXPECT_EQ(errorOf(numbers, "Hello world"),
            "input.txt: word 'Hello' at line 1, column 1 is not in the model's vocabulary: the model came without "
            "one, so its tokens are the numbers 0 to 2 (give its vocabulary: --vocab on the command line, the "
            "import dialog in the app)");
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

// What a stream of pieces gives: the same tokens, or the same error, as the whole text, wherever the
// pieces split it (inside a byte-order mark, a code point or a word).
std::string streamed(const Vocabulary& v, const std::string& text, size_t piece, size_t limit = 1000) {
  try {
    TextTokenizer tokenizer(v, "input.txt", limit, "raise it");
    for (size_t at = 0; at < text.size(); at += piece) tokenizer.feed(std::string_view(text).substr(at, piece));
    const TokenizedText t = tokenizer.finish();
    std::string out;
    for (size_t k = 0; k < t.ids.size(); ++k) out += std::to_string(t.ids[k]) + "=" + t.surface[k] + " ";
    return out;
  } catch (const TextInputError& e) {
    std::string spans;
    for (const TextSpan& s : e.spans())
      spans += " @" + std::to_string(s.byteOffset) + "+" + std::to_string(s.byteLength);
    return e.what() + spans;
  }
}

TEST(Tokenize, PiecesOfAnySizeGiveWhatTheWholeTextGives) {
  const Vocabulary chars(TokenLevel::Char, {"a", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\n"});
  const Vocabulary words(TokenLevel::Word, {"ab", "\xc3\xa9t\xc3\xa9", "<unk>"}, false, "<unk>");
  const std::string texts[] = {
      "\xEF\xBB\xBF"
      "a\xc3\xa9\n\xe4\xb8\xad\xf0\x9f\x98\x80"
      "a",                             // BOM, 2-, 3- and 4-byte characters
      "a\xc3\xa9\nza\xc3\xa9q",        // unknown characters
      "a\na\xc3\xa9\xe4\xb8",          // a character cut by the end
      "aa\n\xc3\xa9\xff\xe4\xb8\xad",  // a bad byte on line 2
      "\xEF\xBB",                      // the start of a byte-order mark only
      "\xEF\xBB\xBF",                  // a byte-order mark only
      "",
  };
  for (const std::string& text : texts) {
    std::string whole;
    try {
      const TokenizedText t = tokenize(chars, text, "input.txt");
      for (size_t k = 0; k < t.ids.size(); ++k) whole += std::to_string(t.ids[k]) + "=" + t.surface[k] + " ";
    } catch (const TextInputError& e) {
      whole = e.what();
      for (const TextSpan& s : e.spans())
        whole += " @" + std::to_string(s.byteOffset) + "+" + std::to_string(s.byteLength);
    }
    for (size_t piece = 1; piece <= text.size() + 1; ++piece)
      EXPECT_EQ(streamed(chars, text, piece), whole) << "pieces of " << piece << " bytes of '" << text << "'";
  }
  EXPECT_EQ(streamed(chars, "a\xc3\xa9\n\xe4\xb8\xad", 1), "0=a 1=\xc3\xa9 4=\n 2=\xe4\xb8\xad ");
  EXPECT_EQ(streamed(chars, "aa\n\xc3\xa9\xff", 2),
            "input.txt: not valid UTF-8: bad byte 0xFF at offset 5 (line 2, column 2) @5+1");
  EXPECT_EQ(streamed(chars, "a\xe4\xb8", 1),
            "input.txt: not valid UTF-8: bad byte 0xE4 at offset 1 (line 1, column 2) @1+1");
  for (size_t piece = 1; piece <= 12; ++piece)
    EXPECT_EQ(streamed(words, " ab \xc3\xa9t\xc3\xa9\tcd\nab", piece), "0=ab 1=\xc3\xa9t\xc3\xa9 2=cd 0=ab ") << piece;
}

// The limit stops the stream as soon as the text passes it, unknown tokens included.
TEST(Tokenize, TheLimitStopsAtTheFirstTokenPastIt) {
  const Vocabulary chars(TokenLevel::Char, {"a"});
  EXPECT_EQ(streamed(chars, "aaa", 1, 3), "0=a 0=a 0=a ");
  EXPECT_EQ(streamed(chars, "aaaa", 1, 3), "input.txt: the text has more than 3 tokens, the limit (raise it)");
  EXPECT_EQ(streamed(chars, "aazz", 1, 3), "input.txt: the text has more than 3 tokens, the limit (raise it)");
  TextTokenizer tokenizer(chars, "endless", 10);
  EXPECT_THROW(for (int k = 0; k < 1000; ++k) tokenizer.feed(std::string(1000, 'a')), TextInputError);
}

// A token a message quotes cannot cut it short (a NUL byte did) or garble the terminal.
TEST(Tokenize, MessagesEscapeControlCharacters) {
  const Vocabulary chars(TokenLevel::Char, {"a"});
  EXPECT_EQ(errorOf(chars, std::string("a\0a", 3)),
            "input.txt: character '\\x00' at line 1, column 2 is not in the model's vocabulary, and the vocabulary "
            "has no UNK token");
  EXPECT_EQ(describeToken("\x1b[31m\n"), "'\\x1B[31m\\n'");
  EXPECT_EQ(describeToken("abc\xc3\xa9", 4), "'abc…'");  // cut before the character, not inside it
  // Bytes that are not UTF-8 (a Latin-1 cell) are escaped; valid characters around them are kept.
  EXPECT_EQ(describeToken("caf\xe9 \xc3\xa9\xff"), "'caf\\xE9 \xc3\xa9\\xFF'");
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
