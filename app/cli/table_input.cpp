#include "app/cli/table_input.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <vector>

#include "app/cli/cli_args.h"
#include "core/common/error.h"
#include "core/common/input_file.h"
#include "core/formats/feature_csv.h"

namespace lstmscope::cli {
namespace {

constexpr size_t kMaxTableBytes = size_t(1) << 32;
// A row of a feature table holds a few numbers and a label; one longer than this is not a table (a single
// 2 GB line would otherwise be read whole before anything could be said about it).
constexpr size_t kMaxRowBytes = size_t(16) << 20;

// The table's first `lines` lines that are not blank, and nothing after them: a table longer than the limit
// is then refused after reading just past the limit, not after reading the whole file. Read a megabyte at
// a time, so that no row costs more than kMaxRowBytes before it is refused.
std::string readLeadingLines(const std::string& path, long lines) {
  requireRegularFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  std::string text;
  std::vector<char> block(size_t(1) << 20);
  long kept = 0;
  size_t rowStart = 0;
  bool blank = true;
  while (kept < lines && in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    for (size_t at = 0; at < n && kept < lines;) {
      const void* newline = std::memchr(block.data() + at, '\n', n - at);
      const size_t end = newline ? static_cast<size_t>(static_cast<const char*>(newline) - block.data()) + 1 : n;
      const std::string_view piece(block.data() + at, end - at);
      blank = blank && piece.find_first_not_of(" \t\r\n") == std::string_view::npos;
      text.append(piece);
      if (text.size() - rowStart > kMaxRowBytes)
        throw InputError(path, "row " + std::to_string(kept + 1) + " is longer than " +
                                   std::to_string(kMaxRowBytes >> 20) + " MB: not a table of numbers");
      if (text.size() > kMaxTableBytes)
        throw InputError(path, "the table has more than " + std::to_string(kMaxTableBytes) + " bytes before row " +
                                   std::to_string(kept + 1) + ", more than LSTMScope reads");
      if (newline) {
        kept += !blank;
        blank = true;
        rowStart = text.size();
      }
      at = end;
    }
  }
  if (in.bad()) throw InputError(path, "could not read the whole file");
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

}  // namespace

EncodedText readTableInput(const Architecture& arch, const std::string& path, const std::string& labelColumn,
                           long maxSteps, const std::string& limitAdvice, bool noStepAllowed) {
  if (arch.readsText())
    throw InputError(path, "the model reads text, not numeric features: give --text or --text-file");
  // A header, the rows allowed and one more row, which tells a table over the limit.
  const long lines = maxSteps > std::numeric_limits<long>::max() - 2 ? maxSteps : maxSteps + 2;
  const FeatureSequence table =
      parseFeatureCsv(arch, readLeadingLines(path, lines), path, maxSteps, limitAdvice, noStepAllowed);
  int column = -1;
  if (!labelColumn.empty()) {
    const auto choices = table.labelChoices();
    const auto it = std::find(choices.begin(), choices.end(), labelColumn);
    if (it == choices.end()) throw UsageError("--label-column: the table has no column '" + labelColumn + "'");
    column = static_cast<int>(it - choices.begin());
  }
  return encodeTable(table, column);
}

EncodedText readSingleInput(const Architecture& arch, const InputOptions& input) {
  constexpr long kMaxSteps = 1'000'000;
  if (!input.csvFile.empty()) return readTableInput(arch, input.csvFile, input.labelColumn, kMaxSteps);
  if (input.text) return encodeText(arch, *input.text, "--text", kMaxSteps);
  return encodeTextFile(arch, input.textFile, kMaxSteps);
}

}  // namespace lstmscope::cli
