// `record`'s corpus (docs/CLI.md "Corpora"): several documents read into one input, with the steps where
// each begins, so that each is recorded from a zero state and the trace keeps their boundaries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/cli/command_options.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::cli {

struct CorpusInput {
  EncodedText text;                // every document, one after another
  std::vector<int64_t> offsets;    // D+1: each document's first step, then the total
  std::vector<std::string> names;  // D
  // Documents too short for the windows of the model's front end, kept with no step: why, one each.
  std::vector<std::string> noStep;
};

// The documents of `in`: every --text-file (named by its path), or --corpus PATH: a folder (every regular
// file whose name does not begin with '.', in name order, named by file name), a .jsonl file (one
// {"text": …, "name": …} object per line, the name optional, blank lines skipped; unnamed documents are
// FILE:LINE), or any other file (one document). A model of numeric features reads a folder of CSV tables.
// The documents together may have at most `maxSteps` tokens; InputError names the file (and line) at fault.
// A document too short for the windows of the model's front end is kept with no step, as an empty one is,
// and said in `noStep`: one short review must not stop a corpus of thousands.
CorpusInput readCorpus(const Architecture& arch, const InputOptions& in, long maxSteps, const std::string& limitAdvice);

}  // namespace lstmscope::cli
