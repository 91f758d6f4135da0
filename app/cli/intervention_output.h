// The JSON and CSV files of ablate and patch (docs/CLI.md "ablate", "patch").
#pragma once

#include <string>

#include "core/intervention/ablation.h"
#include "core/intervention/patching.h"

namespace lstmscope::cli {

// What the target and the ablated or patched quantity were, for the files' headers.
struct EffectContext {
  std::string quantity;    // "1/fwd/c"
  std::string targetText;  // "log p(12) at step 40"
  InterventionTarget target;
  std::vector<std::string> tokens;  // each step's text
};

void writeAblationJson(const std::string& path, const EffectContext& context, const AblationEffects& effects, bool map,
                       bool toMean, long endStep);
void writeAblationCsv(const std::string& path, const AblationEffects& effects, bool map);
void writePatchJson(const std::string& path, const EffectContext& context, const PatchMap& patch);
void writePatchCsv(const std::string& path, const PatchMap& patch);

}  // namespace lstmscope::cli
