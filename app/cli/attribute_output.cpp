#include "app/cli/attribute_output.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/attribution_plot.h"
#include "app/cli/command_options.h"
#include "app/cli/text_output.h"
#include "core/attribution/front_end_attribution.h"
#include "core/common/error.h"

namespace lstmscope::cli {
namespace {

// Keys stay in the documented order.
using Json = nlohmann::ordered_json;

Json optionalNumber(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json conservationJson(const LrpResult& r) {
  Json stages = Json::array();
  for (const RelevanceFlow& f : r.flows)
    stages.push_back({{"stage", f.stage},
                      {"received", f.received},
                      {"passed_on", f.passedOn},
                      {"initial_state", f.initialState},
                      {"absorbed", f.absorbed()}});
  return {{"input_relevance", r.tokens.perToken.sum()},
          {"initial_state_relevance", r.initialStateRelevance},
          {"absorbed", r.conservationError()},
          {"stages", std::move(stages)}};
}

std::string fullNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

LrpConservation conservationOf(const LrpResult& lrp) {
  LrpConservation c;
  c.score = lrp.tokens.score, c.inputRelevance = lrp.tokens.perToken.sum();
  c.initialStateRelevance = lrp.initialStateRelevance;
  return c;
}

// The stderr hint after LRP's summary line (attribution_rules.h decides which).
const char* lrpHint(LrpAdvice advice) {
  switch (advice) {
    case LrpAdvice::None:
      return "";
    case LrpAdvice::LargerEpsilon:
      return ": not conserved; try a larger --eps (amplified by small denominators)";
    case LrpAdvice::BiasFactorTowardsOne:
      return ": not conserved; try --bias-factor towards 1 (lost to biases and epsilon)";
    case LrpAdvice::SmallerEpsilon:
      return ": not conserved; try a smaller --eps (lost to epsilon)";
    case LrpAdvice::CompareWithGradients:
      return ": not conserved; compare with the gradient methods (amplified even at this --eps)";
  }
  return "";
}

// What the CSV's first column counts: the LSTM's steps, or the rows of the table (the positions of the text)
// the attribution reached through the front end.
const char* positionColumn(const AttributeResult& r) {
  switch (attributedPositions(r.net.arch, r.attribution.onRawInput)) {
    case AttributedPositions::Rows:
      return "row";
    case AttributedPositions::Tokens:
      return "position";
    case AttributedPositions::Steps:
      break;
  }
  return "step";
}

// A model with a front end whose attribution did not go through it (LRP): its values are per LSTM step.
bool stopsAtLstmFeatures(const AttributeResult& r) {
  return !r.net.arch.frontEnd.empty() && !r.attribution.onRawInput;
}

double scoreChange(const TokenAttribution& v) {
  return v.score - v.baselineScore.value_or(0);
}

// The figure as the app draws it: the title names the model, the method, the target and the settings
// that shaped the result; the note carries IG's delta or LRP's conservation, red where the rules flag it.
AttributionPlot figureOf(const AttributeResult& r) {
  const TokenAttribution& v = r.attribution.values;
  const AttributionMethod method = r.attribution.method;
  const Architecture& arch = r.net.arch;
  AttributionPlot figure;
  figure.tokens = r.tokens;
  figure.values = v.perToken;
  figure.label = attributionMethodTitle(method);
  figure.targetStep = r.markedToken;
  // As the app's Attribution dock: characters run together, words and table rows stand apart.
  figure.separateTokens = arch.inputKind == InputKind::Features || arch.vocab.level() == TokenLevel::Word;
  if (r.attribution.onRawInput) figure.boxedMeaning = "the last row the target's step reads";
  figure.positionsAreRows = attributedPositions(arch, r.attribution.onRawInput) == AttributedPositions::Rows;
  std::string what = describeTarget(arch, r.target);
  if (r.target.kind == TargetKind::Logit && arch.predictsNextToken(r.net.headOutputs()))
    what = "logit of \u201c" + arch.vocab.tokens()[static_cast<size_t>(r.target.output)] + "\u201d at step " +
           std::to_string(r.target.step);
  figure.title = r.modelPath.substr(r.modelPath.find_last_of('/') + 1) + " \u00b7 " + attributionMethodTitle(method) +
                 " \u00b7 " + what;
  if (method == AttributionMethod::IntegratedGradients || method == AttributionMethod::Occlusion)
    figure.title += " \u00b7 baseline " + r.settings.baselineName;
  if (v.convergenceDelta) {
    figure.title +=
        " \u00b7 " + std::to_string(r.settings.steps) + " " + quadratureRuleName(r.settings.rule) + " steps";
    figure.note = "\u03b4 = " + shortNumber(*v.convergenceDelta) + " of score change " + shortNumber(scoreChange(v));
    figure.warning = convergenceWarning(*v.convergenceDelta, scoreChange(v));
  }
  if (r.attribution.lrp) {
    figure.note = "relevance reaching the input " + shortNumber(v.perToken.sum()) + " of score " + shortNumber(v.score);
    figure.warning = lrpAdvice(conservationOf(*r.attribution.lrp), r.settings.lrp.epsilon, r.settings.lrp.biasFactor) !=
                     LrpAdvice::None;
  }
  return figure;
}

}  // namespace

std::string attributeJson(const AttributeResult& r) {
  const TokenAttribution& v = r.attribution.values;
  Json attributions = Json::array();
  for (long t = 0; t < v.perToken.size(); ++t) attributions.push_back(v.perToken(t));
  Json json;
  json["method"] = attributionMethodName(r.attribution.method);
  json["target_step"] = r.target.step;
  json["target"] = r.target.kind == TargetKind::Logit ? r.target.output : r.target.unit;
  json["target_description"] = describeTarget(r.net.arch, r.target);
  json["score"] = v.score;
  json["baseline_score"] = optionalNumber(v.baselineScore);
  json["attributions"] = std::move(attributions);
  json["convergence_delta"] = optionalNumber(v.convergenceDelta);
  if (r.attribution.lrp) json["conservation"] = conservationJson(*r.attribution.lrp);
  json["tokens"] = r.tokens;
  json["attributed_to"] = stopsAtLstmFeatures(r) ? "lstm_input_features" : "input";
  if (r.attribution.onRawInput) json["target_input_index"] = r.markedToken;  // the last row the target reads
  // A token that is not valid UTF-8 on its own (a byte-level vocabulary) is written with U+FFFD in its
  // place rather than making the whole file unreadable.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string attributeCsv(const AttributeResult& r) {
  const Vec<double>& perToken = r.attribution.values.perToken;
  std::string body = std::string(positionColumn(r)) + ",token,attribution\n";
  for (long t = 0; t < perToken.size(); ++t)
    body +=
        std::to_string(t) + "," + csvQuoted(r.tokens[static_cast<size_t>(t)]) + "," + fullNumber(perToken(t)) + "\n";
  return body;
}

void writeAttribute(const std::string& path, const AttributeResult& r) {
  switch (attributeOutputFor(path)) {
    case AttributeOutput::Json:
      return writeTextFile(path, attributeJson(r));
    case AttributeOutput::Csv:
      return writeTextFile(path, attributeCsv(r));
    case AttributeOutput::Figure:
      return writeAttributionPlot(path, figureOf(r));
  }
}

void printAttributeSummary(const AttributeResult& r) {
  const TokenAttribution& v = r.attribution.values;
  if (r.attribution.onRawInput && r.attribution.method == AttributionMethod::IntegratedGradients &&
      r.settings.precision == Precision::Float32)
    std::fprintf(stderr, "through the model's front end IG runs in float64: --precision float32 does not apply\n");
  if (stopsAtLstmFeatures(r))
    std::fprintf(stderr,
                 "%s stops at the LSTM's input features, after the model's front end: one value per LSTM "
                 "step, not per row of the input (docs/ATTRIBUTION.md)\n",
                 attributionMethodTitle(r.attribution.method));
  if (const std::optional<LrpResult>& lrp = r.attribution.lrp) {
    const double absorbed = lrp->conservationError(), score = lrp->tokens.score;
    std::fprintf(stderr,
                 "relevance reaching the input %.6g of the score %.6g; biases and epsilon absorbed %.3g (%.1f%%)%s\n",
                 lrp->tokens.perToken.sum(), score, absorbed, 100 * std::abs(absorbedShare(absorbed, score)),
                 lrpHint(lrpAdvice(conservationOf(*lrp), r.settings.lrp.epsilon, r.settings.lrp.biasFactor)));
  }
  if (v.convergenceDelta) {
    const double change = scoreChange(v);
    std::fprintf(
        stderr, "convergence delta %.3g (%.1f%% of the score change %.4g)%s\n", *v.convergenceDelta,
        100 * convergenceShare(*v.convergenceDelta, change), change,
        convergenceWarning(*v.convergenceDelta, change) ? ": large; try more --steps or --rule gausslegendre" : "");
  }
}

}  // namespace lstmscope::cli
