// A probe study's charts (docs/PROBES.md): the layer-wise probing curve — each quantity's test score per
// layer (and all layers together), its control task dashed — and the L1 path — how the score of the probe
// refitted on the units an L1 probe keeps grows with their number, against the full probe and its 95 %.
#pragma once

#include <string>
#include <vector>

#include "core/probing/probe_study.h"
#include "viz/score_lines_chart.h"

namespace lstmscope::viz {

// "R²" for numbers, "accuracy" for classes: what a probe's score is.
QString probeScoreName(LabelKind kind);
// "layer 1 · c", "all layers · h": which probe.
QString probeName(int layer, Quantity quantity);

// `layers`: the model's layers (x = 0 … layers - 1, and "all" for the probe of every layer together).
void showProbingCurve(ScoreLinesChart& chart, const std::vector<ProbeOutcome>& curve, int layers, LabelKind labelKind,
                      const std::string& labelSource);

// `probe`: the probe the path was made for (its layer, quantity and test score).
void showL1Path(ScoreLinesChart& chart, const L1Path& path, const ProbeOutcome& probe, LabelKind labelKind,
                const std::string& labelSource);

}  // namespace lstmscope::viz
