#include "core/formats/sequence_input.h"

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/input_file.h"
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
  if (arch.inputKind != InputKind::Tokens)
    throw InputError(sourceName, "the model reads numeric features, not text: give a CSV file with --csv");
}

EncodedText encoded(const Architecture& arch, TokenizedText tok, const std::string& sourceName) {
  if (arch.maskValue)
    for (size_t t = 0; t < tok.ids.size(); ++t)
      if (tok.ids[t] == static_cast<int>(*arch.maskValue))
        throw TextInputError(sourceName, "token " + std::to_string(t + 1) + " (" + tok.surface[t] + ") is id " +
                                             std::to_string(tok.ids[t]) +
                                             ", which the model's Embedding masks (mask_zero): Keras skips such a "
                                             "step, which LSTMScope does not model");
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

EncodedText encodeText(const Architecture& arch, std::string_view text, const std::string& sourceName, long maxSteps,
                       const std::string& limitAdvice, bool allowEmpty) {
  requireTextModel(arch, sourceName);
  TextTokenizer tokenizer(arch.vocab, sourceName, tokenLimit(maxSteps), limitAdvice);
  if (allowEmpty) tokenizer.allowEmpty();
  tokenizer.feed(text);
  return encoded(arch, tokenizer.finish(), sourceName);
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
  return encoded(arch, tokenizer.finish(), path);
}

}  // namespace lstmscope
