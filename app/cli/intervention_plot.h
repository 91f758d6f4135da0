// The figures of ablate and patch (.png, .svg, .pdf), drawn offscreen by the app's own views: a unit x step
// map as the heatmap in a diverging colour map, a sweep as bars for the units with the largest effects.
#pragma once

#include <string>

#include "app/cli/intervention_output.h"

namespace lstmscope::cli {

void writeAblationFigure(const std::string& path, const EffectContext& context, const AblationEffects& effects,
                         bool map);
void writePatchFigure(const std::string& path, const EffectContext& context, const PatchMap& patch);

}  // namespace lstmscope::cli
