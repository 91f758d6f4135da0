#include "app/cli/table_input.h"

#include <algorithm>

#include "app/cli/cli_args.h"
#include "core/common/error.h"
#include "core/formats/feature_csv.h"

namespace lstmscope::cli {

EncodedText readTableInput(const Architecture& arch, const std::string& path, const std::string& labelColumn,
                           long maxSteps) {
  if (arch.inputKind != InputKind::Features)
    throw InputError(path, "the model reads text, not numeric features: give --text or --text-file");
  const FeatureSequence table = parseFeatureCsv(arch, readFileBytes(path, size_t(1) << 32), path, maxSteps);
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
