// `probe --out RANK.png|.svg|.pdf`: the Probes dock's charts drawn offscreen (docs/CLI.md "probe"). `--figure`
// chooses which: the strongest units (ranking), the probing curve, or the best probe's L1 path.
#pragma once

#include <string>
#include <vector>

#include "core/probing/l1_path.h"
#include "core/probing/probe_study.h"
#include "core/probing/unit_ranking.h"

namespace lstmscope::cli {

// The 20 strongest units as bars (viz/ranking_chart.h).
void writeRankingFigure(const std::string& path, const UnitRanking& ranking, RankingMetric metric,
                        const std::string& label);
// Each quantity's test score per layer and all layers together, the control task dashed (viz/probe_charts.h).
void writeProbingCurveFigure(const std::string& path, const std::vector<ProbeOutcome>& curve, int layers,
                             LabelKind labelKind, const std::string& label);
// The refit score against the number of units, with the full probe and the target (viz/probe_charts.h).
void writeL1PathFigure(const std::string& path, const L1Path& l1, const ProbeOutcome& probe, LabelKind labelKind,
                       const std::string& label);

}  // namespace lstmscope::cli
