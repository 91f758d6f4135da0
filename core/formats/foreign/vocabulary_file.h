// Vocabulary files users keep next to foreign models: a JSON array of tokens in id order, a JSON object
// token -> id, a Keras Tokenizer's to_json(), a TextVectorization/StringLookup vocabulary.txt, or any text
// file with one token per line. What the file says (char level, lowercasing, the UNK token) is used;
// what it does not say comes from `VocabularyOptions`, else from a guess that the import report names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/text/vocabulary.h"

namespace lstmscope {

struct VocabularyOptions {
  std::optional<TokenLevel> level;
  std::optional<bool> lowercase;
  std::optional<std::string> unk;  // "" = no UNK token
};

struct LoadedVocabulary {
  std::string path;
  Vocabulary vocab;
  std::string format;                // "JSON array", "Keras Tokenizer JSON", …
  std::vector<std::string> guesses;  // what was decided without the file saying so
  // Keras Tokenizer with num_words: ids at or above it are out of vocabulary, so a longer word_index may
  // be cut to the embedding's size.
  bool mayTruncate = false;
  // The file gives each token's id (a token -> id map): ids it skips are reserved slots (`placeholders`,
  // named "<pad>" or "<id K>"), and a model with a few more ids than it names has reserved ones at the end.
  bool idsAreExplicit = false;
  int64_t idLimit = 0;  // a Keras Tokenizer's num_words (ids below it may occur), 0 when unstated
  std::vector<int> placeholders;
};

// Throws InputError naming `path` for unreadable, empty, non-UTF-8 or inconsistent files (duplicate
// tokens, ids far beyond the number of tokens).
LoadedVocabulary readVocabularyFile(const std::string& path, const VocabularyOptions& options = {});

// Tokens as a user types or pastes them (the import dialog). Text of several lines holds one token per
// line, as a vocabulary file does; a single line is a character model's vocabulary, each character one
// token in order ("abcdefghijklmnopqrstuvwxyz " is 27 tokens). In both, \n stands for a newline, \t for a
// tab and \\ for a backslash, so that a character vocabulary holding them fits on one line. Trailing line
// breaks are ignored; blank text gives no tokens.
std::vector<std::string> parseTypedTokens(const std::string& text);
// The inverse, to show remembered tokens: one line of characters when every token is one character,
// otherwise one token per line.
std::string typedTokensText(const std::vector<std::string>& tokens);
// A vocabulary of typed tokens; what `options` does not say is guessed as for a file (character level
// when every token is one character, a UNK token by its usual spellings). Throws InputError for no tokens
// or a token listed twice.
LoadedVocabulary typedVocabulary(const std::vector<std::string>& tokens, const VocabularyOptions& options = {});

// Placeholder for a model that came without a vocabulary: word-level tokens "0", "1", … so that text
// written as ids ("12 7 3") still runs.
Vocabulary placeholderVocabulary(int size);

// Cuts `loaded` to `size` tokens when its format allows it (mayTruncate), or extends an id map by a few
// reserved ids at the end ("<id K>", said in `notes`); otherwise a size other than the embedding's is an
// InputError naming both counts.
Vocabulary fitVocabulary(const LoadedVocabulary& loaded, int size, const std::string& modelPath,
                         std::vector<std::string>* notes = nullptr);

}  // namespace lstmscope
