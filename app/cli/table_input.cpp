#include "app/cli/table_input.h"

#include <algorithm>
#include <fstream>
#include <limits>

#include "app/cli/cli_args.h"
#include "core/common/error.h"
#include "core/common/input_file.h"
#include "core/formats/feature_csv.h"

namespace lstmscope::cli {
namespace {

constexpr size_t kMaxTableBytes = size_t(1) << 32;

// The table's first `lines` lines that are not blank, and nothing after them: a table longer than the limit
// is then refused after reading just past the limit, not after reading the whole file.
std::string readLeadingLines(const std::string& path, long lines) {
  requireRegularFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  std::string text, line;
  for (long kept = 0; kept < lines && std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++kept;
    text.append(line).append(1, '\n');
    if (text.size() > kMaxTableBytes)
      throw InputError(path, "the table has more than " + std::to_string(kMaxTableBytes) + " bytes before row " +
                                 std::to_string(kept + 1) + ", more than LSTMScope reads");
  }
  if (in.bad()) throw InputError(path, "could not read the whole file");
  return text;
}

}  // namespace

EncodedText readTableInput(const Architecture& arch, const std::string& path, const std::string& labelColumn,
                           long maxSteps, const std::string& limitAdvice) {
  if (arch.inputKind != InputKind::Features)
    throw InputError(path, "the model reads text, not numeric features: give --text or --text-file");
  // A header, the rows allowed and one more row, which tells a table over the limit.
  const long lines = maxSteps > std::numeric_limits<long>::max() - 2 ? maxSteps : maxSteps + 2;
  const FeatureSequence table = parseFeatureCsv(arch, readLeadingLines(path, lines), path, maxSteps, limitAdvice);
  int column = -1;
  if (!labelColumn.empty()) {
    const auto choices = table.labelChoices();
    const auto it = std::find(choices.begin(), choices.end(), labelColumn);
    if (it == choices.end()) throw UsageError("--label-column: the table has no column '" + labelColumn + "'");
    column = static_cast<int>(it - choices.begin());
  }
  EncodedText out;
  out.inputs = table.inputs;
  out.surface = table.stepLabels(column);
  return out;
}

}  // namespace lstmscope::cli
