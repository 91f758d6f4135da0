#include "app/gui/attribution_texts.h"

#include <cmath>

#include "app/gui/attribution_panel.h"
#include "core/attribution/attribution_rules.h"
#include "core/model/model.h"

namespace lstmscope::app {
namespace {

QString number(double v) {
  return QString::number(v, 'g', 4);
}

// What the note advises (attribution_rules.h decides which).
QString lrpAdviceText(LrpAdvice advice) {
  switch (advice) {
    case LrpAdvice::None:
      return {};
    case LrpAdvice::LargerEpsilon:
      return AttributionPanel::tr(" — amplified by small denominators: try a larger ε");
    case LrpAdvice::BiasFactorTowardsOne:
      return AttributionPanel::tr(" — lost to biases and ε: raise the bias factor towards 1");
    case LrpAdvice::SmallerEpsilon:
      return AttributionPanel::tr(" — lost to ε: try a smaller ε");
    case LrpAdvice::CompareWithGradients:
      return AttributionPanel::tr(" — amplified even at this ε: compare with the gradient methods");
  }
  return {};
}

}  // namespace

QString describeTarget(const Model& model, const AttributionTarget& target, const QStringList& stepTokens,
                       const QStringList& vocabulary) {
  if (target.kind != TargetKind::Logit)
    return AttributionPanel::tr("%1 unit %2 of layer %3%4 at step %5 “%6”")
        .arg(target.kind == TargetKind::Cell ? AttributionPanel::tr("cell") : AttributionPanel::tr("hidden"))
        .arg(target.unit)
        .arg(target.layer)
        .arg(QString::fromStdString(
            directionSuffix(model.arch.layers[static_cast<size_t>(target.layer)], target.direction)))
        .arg(target.step)
        .arg(stepTokens.value(static_cast<qsizetype>(target.step)));
  const QString at = stepTokens.value(static_cast<qsizetype>(target.step));
  const HeadSpec& head = *model.arch.head;
  if (target.output == kUnresolvedOutput)
    return head.perSequence()
               ? AttributionPanel::tr("the most probable output (predicted from the whole input)")
               : AttributionPanel::tr("the most probable output at step %1 “%2”").arg(target.step).arg(at);
  // A head with one output per vocabulary token names its outputs by the tokens; any other head (a classifier
  // of text) by its labels or numbers, never by the token that happens to have the output's id.
  const bool outputsAreTokens =
      model.arch.readsText() && model.params.head.weight.rows() == static_cast<long>(model.arch.vocab.size());
  QString what = outputsAreTokens ? vocabulary.value(target.output) : QString();
  if (!head.labels.empty() && target.output < static_cast<int>(head.labels.size()))
    what = QString::fromStdString(head.labels[static_cast<size_t>(target.output)]);
  if (what.isEmpty()) what = QString::number(target.output);
  if (head.perSequence()) {
    if (model.arch.task == Task::Regression)
      return AttributionPanel::tr("output “%1” (predicted from the whole sequence)").arg(what);
    return !model.arch.readsText() ? AttributionPanel::tr("logit of “%1” (the sequence's class)").arg(what)
                                   : AttributionPanel::tr("logit of “%1” (the text's class)").arg(what);
  }
  if (model.arch.task == Task::Regression)
    return AttributionPanel::tr("output “%1” at step %2 “%3”").arg(what).arg(target.step).arg(at);
  return AttributionPanel::tr("logit of “%1” at step %2 “%3”").arg(what).arg(target.step).arg(at);
}

QString attributionNote(const MethodAttribution& m, double epsilon, double biasFactor, bool* warning) {
  const TokenAttribution& v = m.values;
  *warning = false;
  if (m.method == AttributionMethod::IntegratedGradients && v.convergenceDelta && v.baselineScore) {
    const double change = v.score - *v.baselineScore;
    *warning = convergenceWarning(*v.convergenceDelta, change);
    return AttributionPanel::tr("δ = %1 (%2 % of ΔF = %3)%4")
        .arg(number(*v.convergenceDelta))
        .arg(100 * convergenceShare(*v.convergenceDelta, change), 0, 'f', 1)
        .arg(number(change))
        .arg(*warning ? AttributionPanel::tr(" — large: more steps or Gauss–Legendre") : QString());
  }
  if (m.lrp) {
    LrpConservation c;
    c.score = v.score, c.inputRelevance = v.perToken.sum(), c.initialStateRelevance = m.lrp->initialStateRelevance;
    const LrpAdvice advice = lrpAdvice(c, epsilon, biasFactor);
    *warning = advice != LrpAdvice::None;
    // What the input does not get went to the initial states (the zero state the run starts from) or was
    // absorbed by biases and ε; rounding noise (|share| < 1e-9 %) is said as 0, not as −5.53e-14 %.
    const double absorbed = 100 * absorbedShare(c.absorbed(), c.score);
    return AttributionPanel::tr(
               "relevance reaching the input %1 and the initial state %2 of score %3 (biases and ε "
               "absorbed %4 %)%5")
        .arg(number(c.inputRelevance))
        .arg(number(c.initialStateRelevance))
        .arg(number(c.score))
        .arg(std::abs(absorbed) < 1e-9 ? QStringLiteral("0") : QString::number(absorbed, 'g', 3))
        .arg(lrpAdviceText(advice));
  }
  if (v.baselineScore)
    return AttributionPanel::tr("score %1, fully occluded %2").arg(number(v.score)).arg(number(*v.baselineScore));
  return AttributionPanel::tr("score %1").arg(number(v.score));
}

QString attributionTitle(const MethodAttribution& m, const QString& modelName, const QString& target,
                         const IgSettingsText& settings) {
  QString t =
      AttributionPanel::tr("%1 · %2 · %3").arg(modelName, QString::fromUtf8(attributionMethodTitle(m.method)), target);
  if (m.method == AttributionMethod::IntegratedGradients || m.method == AttributionMethod::Occlusion)
    t += AttributionPanel::tr(" · baseline %1").arg(settings.baseline);
  if (m.method == AttributionMethod::IntegratedGradients && m.values.convergenceDelta)
    t += AttributionPanel::tr(" · %1 %2 steps, %3 · δ = %4")
             .arg(settings.steps)
             .arg(settings.rule)
             .arg(settings.precision)
             .arg(number(*m.values.convergenceDelta));
  return t;
}
}  // namespace lstmscope::app
