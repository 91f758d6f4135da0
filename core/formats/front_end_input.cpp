#include "core/formats/front_end_input.h"

#include "core/common/error.h"

namespace lstmscope {

FrontEndRun runFrontEnd(const Architecture& arch, const Eigen::MatrixXd& raw, const std::string& source,
                        bool noStepAllowed, const StepLimit& limit) {
  const bool text = arch.frontEndReadsTokens();
  const std::string unit = text ? "tokens" : "rows";
  FrontEndRun out;
  const auto noStep = [&](const std::string& problem) {
    if (noStepAllowed) {
      out.noStep = problem;
      out.features.resize(arch.featureDim, 0);
      requireStepsTheHeadReads(arch, 0, source);
      return out;
    }
    if (text) throw TextInputError(source, problem);
    throw InputError(source, problem);
  };
  const long rows = raw.cols();
  if (const long fewest = fewestRows(arch.frontEnd); rows < fewest)
    return noStep("the model's front end reads windows of " + unit + " (" + describeStepLayers(arch.frontEnd) +
                  "): it needs at least " + std::to_string(fewest) + " " + unit + ", and the " +
                  (text ? "text" : "table") + " has " + std::to_string(rows));
  // Checked before the front end runs: a decoder's steps are as many as the model's RepeatVector says.
  if (const long steps = chainOutputSteps(arch.frontEnd, rows); limit.maxSteps > 0 && steps > limit.maxSteps) {
    const std::string problem = "the model's front end gives " + std::to_string(steps) + " steps (" +
                                describeStepLayers(arch.frontEnd) + "), more than the limit of " +
                                std::to_string(limit.maxSteps) + (limit.advice.empty() ? "" : ": " + limit.advice);
    if (text) throw TextInputError(source, problem);
    throw InputError(source, problem);
  }
  out.features = applyFrontEnd(arch, raw).cast<float>();
  if (out.features.cols() == 0)
    return noStep("the model's front end (" + describeStepLayers(arch.frontEnd) + ") gives no step for " +
                  std::to_string(rows) + " " + unit + "; give a longer " + (text ? "text" : "table"));
  requireStepsTheHeadReads(arch, out.features.cols(), source);
  if (readsWindows(arch.frontEnd)) out.spans = rowsReadByStep(arch.frontEnd, rows);
  if (repeatsAState(arch.frontEnd))
    for (long t = 0; t < out.features.cols(); ++t) out.stepNames.push_back("out " + std::to_string(t + 1));
  return out;
}

}  // namespace lstmscope
