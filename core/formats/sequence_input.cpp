#include "core/formats/sequence_input.h"

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/input_file.h"

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

EncodedText encodeText(const Architecture& arch, const std::string& text, const std::string& sourceName,
                       long maxSteps) {
  if (arch.inputKind != InputKind::Tokens)
    throw InputError(sourceName, "the model reads numeric features, not text: give a CSV file with --csv");
  TokenizedText tok = tokenize(arch.vocab, text, sourceName);
  if (static_cast<long>(tok.ids.size()) > maxSteps)
    throw TextInputError(sourceName, "the text has " + std::to_string(tok.ids.size()) +
                                         " tokens, more than the limit of " + std::to_string(maxSteps) +
                                         " (raise it with --max-steps)");
  EncodedText out;
  out.inputs.steps = static_cast<int>(tok.ids.size());
  out.inputs.batch = 1;
  out.inputs.tokens = std::move(tok.ids);
  out.surface = std::move(tok.surface);
  return out;
}

}  // namespace lstmscope
