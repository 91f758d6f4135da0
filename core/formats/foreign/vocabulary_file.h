// Vocabulary files users keep next to foreign models: a JSON array of tokens in id order, a JSON object
// token -> id, a Keras Tokenizer's to_json(), a TextVectorization/StringLookup vocabulary.txt, or any text
// file with one token per line. What the file says (char level, lowercasing, the UNK token) is used;
// what it does not say comes from `VocabularyOptions`, else from a guess that the import report names.
#pragma once

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
};

// Throws InputError naming `path` for unreadable, empty, non-UTF-8 or inconsistent files (duplicate
// tokens, ids with gaps).
LoadedVocabulary readVocabularyFile(const std::string& path, const VocabularyOptions& options = {});

// Placeholder for a model that came without a vocabulary: word-level tokens "0", "1", … so that text
// written as ids ("12 7 3") still runs.
Vocabulary placeholderVocabulary(int size);

// Cuts `loaded` to `size` tokens when its format allows it (mayTruncate); otherwise a size other than the
// embedding's is an InputError naming both counts.
Vocabulary fitVocabulary(const LoadedVocabulary& loaded, int size, const std::string& modelPath);

}  // namespace lstmscope
