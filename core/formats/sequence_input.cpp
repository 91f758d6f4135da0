#include "core/formats/sequence_input.h"

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/input_file.h"
#include "core/formats/front_end_input.h"
#include "core/text/text_tokenizer.h"

namespace lstmscope {

std::string readFileBytes(const std::string& path, size_t maxBytes) {
  requireRegularFile(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, "cannot read the file size: " + ec.message());
  if (size > maxBytes)
    throw InputError(
        path, "the file has " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(maxBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size) throw InputError(path, "could not read the whole file");
  return bytes;
}

namespace {

void requireTextModel(const Architecture& arch, const std::string& sourceName) {
  if (!arch.readsText())
    throw InputError(sourceName, "the model reads numeric features, not text: give a CSV file with --csv");
}

// The text of a span of tokens, as a step's label: words joined by spaces, characters as they are, cut short.
std::string spanText(const std::vector<std::string>& surface, RowSpan span, TokenLevel level) {
  constexpr size_t kLongest = 40;
  if (span.empty()) return "(padding)";  // the step reads padding only
  std::string out;
  for (long t = span.first; t <= span.last; ++t) {
    if (t > span.first && level == TokenLevel::Word) out += ' ';
    out += surface[static_cast<size_t>(t)];
    if (out.size() > kLongest) {  // cut at a character's first byte, never inside one
      size_t cut = kLongest;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      return out.substr(0, cut) + "…";
    }
  }
  return out;
}

// A model whose front end reads text (an embedding lookup, then window layers): the ids go through the front
// end, and each LSTM step is labelled with the tokens it is computed from.
EncodedText throughFrontEnd(const Architecture& arch, TokenizedText tok, const std::string& sourceName, bool allowEmpty,
                            const StepLimit& limit) {
  const long tokens = static_cast<long>(tok.ids.size());
  if (tokens == 0) {  // an empty document of a corpus (allowEmpty): no step
    requireStepsTheHeadReads(arch, 0, sourceName);
    EncodedText empty;
    empty.inputs.features.resize(arch.featureDim, 0);
    return empty;
  }
  Eigen::MatrixXd ids(1, tokens);
  for (long t = 0; t < tokens; ++t) ids(0, t) = tok.ids[static_cast<size_t>(t)];
  FrontEndRun run = runFrontEnd(arch, ids, sourceName, allowEmpty, limit);
  EncodedText out;
  if (!run.noStep.empty()) out.noStep = sourceName + ": " + run.noStep;
  out.inputs.features = std::move(run.features);
  out.inputs.steps = static_cast<int>(out.inputs.features.cols());
  out.inputs.batch = 1;
  out.raw = ids.cast<float>();  // ids are below 2^24: exact
  out.rawSurface = tok.surface;
  out.rowsOfStep = run.spans;
  if (!run.stepNames.empty()) {
    out.surface = std::move(run.stepNames);
    return out;
  }
  for (long t = 0; t < out.inputs.steps; ++t)
    out.surface.push_back(spanText(tok.surface, run.spans.empty() ? RowSpan{t, t} : run.spans[static_cast<size_t>(t)],
                                   arch.vocab.level()));
  return out;
}

EncodedText encoded(const Architecture& arch, TokenizedText tok, const std::string& sourceName, bool allowEmpty,
                    const StepLimit& limit) {
  if (arch.maskValue)
    for (size_t t = 0; t < tok.ids.size(); ++t)
      if (tok.ids[t] == static_cast<int>(*arch.maskValue))
        throw TextInputError(sourceName, "token " + std::to_string(t + 1) + " (" + tok.surface[t] + ") is id " +
                                             std::to_string(tok.ids[t]) +
                                             ", which the model's Embedding masks (mask_zero): Keras skips such a "
                                             "step, which LSTMScope does not model");
  if (arch.frontEndReadsTokens()) return throughFrontEnd(arch, std::move(tok), sourceName, allowEmpty, limit);
  requireStepsTheHeadReads(arch, static_cast<long>(tok.ids.size()), sourceName);
  EncodedText out;
  out.inputs.steps = static_cast<int>(tok.ids.size());
  out.inputs.batch = 1;
  out.inputs.tokens = std::move(tok.ids);
  out.surface = std::move(tok.surface);
  return out;
}

size_t tokenLimit(long maxSteps) {
  return maxSteps < 1 ? 0 : static_cast<size_t>(maxSteps);
}

}  // namespace

EncodedText encodeTable(const FeatureSequence& table, int column) {
  EncodedText out;
  out.inputs = table.inputs;
  out.noStep = table.noStep;
  if (out.noStep.empty()) out.surface = table.stepLabels(column);
  if (table.rawFeatures.size()) {
    out.raw = table.rawFeatures;
    out.rawSurface = table.rowLabels(column);
    out.rowsOfStep = table.rowsOfStep;
  }
  return out;
}

EncodedText encodeText(const Architecture& arch, std::string_view text, const std::string& sourceName, long maxSteps,
                       const std::string& limitAdvice, bool allowEmpty) {
  requireTextModel(arch, sourceName);
  TextTokenizer tokenizer(arch.vocab, sourceName, tokenLimit(maxSteps), limitAdvice);
  if (allowEmpty) tokenizer.allowEmpty();
  tokenizer.feed(text);
  return encoded(arch, tokenizer.finish(), sourceName, allowEmpty, {maxSteps, limitAdvice});
}

EncodedText encodeTextFile(const Architecture& arch, const std::string& path, long maxSteps,
                           const std::string& limitAdvice, bool allowEmpty) {
  requireTextModel(arch, path);
  requireRegularFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  TextTokenizer tokenizer(arch.vocab, path, tokenLimit(maxSteps), limitAdvice);
  if (allowEmpty) tokenizer.allowEmpty();
  std::string piece(size_t(1) << 20, '\0');
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    tokenizer.feed(std::string_view(piece.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) throw InputError(path, "could not read the whole file");
  return encoded(arch, tokenizer.finish(), path, allowEmpty, {maxSteps, limitAdvice});
}

}  // namespace lstmscope
