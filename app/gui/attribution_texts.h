// The words of the Attribution dock: what the target is, each method's note (IG's convergence delta, LRP's
// conservation and advice) and a result's title. Free functions of the result and the settings, so that
// the panel keeps only its widgets and jobs.
#pragma once

#include <QString>
#include <QStringList>

#include "core/attribution/attribution_report.h"

namespace lstmscope::app {

// A logit target whose output (the most probable one) the background run has yet to find.
constexpr int kUnresolvedOutput = -1;

// "logit of “e” at step 40 “h”", "cell unit 3 of layer 1 at step 40 “h”", "the most probable output …".
QString describeTarget(const Model& model, const AttributionTarget& target, const QStringList& stepTokens,
                       const QStringList& vocabulary);

// The note under a method's row; `warning` says whether it should be read as one (red).
QString attributionNote(const MethodAttribution& m, double epsilon, double biasFactor, bool* warning);

// The IG and occlusion settings as the controls show them, for titles.
struct IgSettingsText {
  QString baseline, rule, precision;
  int steps = 0;
};
// "model · method · target · baseline … · 64 midpoint steps, float32 · δ = …".
QString attributionTitle(const MethodAttribution& m, const QString& modelName, const QString& target,
                         const IgSettingsText& settings);

}  // namespace lstmscope::app
