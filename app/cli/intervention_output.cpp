#include "app/cli/intervention_output.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/text_output.h"

namespace lstmscope::cli {
namespace {

using Json = nlohmann::ordered_json;  // keys stay in the documented order

Json number(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

const char* scoreKindName(ScoreKind k) {
  return k == ScoreKind::Logit ? "logit" : k == ScoreKind::LogProbability ? "logprob" : "unit";
}

Json targetJson(const EffectContext& c) {
  Json j;
  j["target_step"] = c.target.step;
  if (c.target.kind == ScoreKind::Unit)
    j["target"] = nullptr;
  else
    j["target"] = c.target.output;
  j["target_description"] = c.targetText;
  j["score_kind"] = scoreKindName(c.target.kind);
  return j;
}

Json matrixRows(const Mat<double>& m, bool transpose) {  // rows of m, or of its transpose
  Json rows = Json::array();
  const long outer = transpose ? m.cols() : m.rows(), inner = transpose ? m.rows() : m.cols();
  for (long i = 0; i < outer; ++i) {
    Json row = Json::array();
    for (long j = 0; j < inner; ++j) row.push_back(number(transpose ? m(j, i) : m(i, j)));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string full(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void writeAblationJson(const std::string& path, const EffectContext& c, const AblationEffects& e, bool map, bool toMean,
                       long endStep) {
  Json j = targetJson(c);
  j["score"] = number(e.score);
  j["quantity"] = c.quantity;
  j["steps"] = {e.firstStep, endStep};
  j["value"] = toMean ? "mean" : "zero";
  Json units = Json::array(), values = Json::array();
  for (size_t u = 0; u < e.values.size(); ++u) units.push_back(u), values.push_back(number(e.values[u]));
  j["units"] = std::move(units);
  j["ablated_to"] = std::move(values);
  if (map) {
    j["effect_map"] = matrixRows(e.map, true);  // per step, per unit
  } else {
    Json effects = Json::array();
    for (double v : e.effects) effects.push_back(number(v));
    j["effects"] = std::move(effects);
  }
  writeTextFile(path, j.dump() + "\n");
}

void writeAblationCsv(const std::string& path, const AblationEffects& e, bool map) {
  std::string text;
  if (map) {
    text = "step,unit,effect\n";
    for (long t = 0; t < e.map.cols(); ++t)
      for (long u = 0; u < e.map.rows(); ++u)
        text += std::to_string(e.firstStep + t) + "," + std::to_string(u) + "," + full(e.map(u, t)) + "\n";
  } else {
    text = "unit,ablated_to,effect\n";
    for (size_t u = 0; u < e.effects.size(); ++u)
      text += std::to_string(u) + "," + full(e.values[u]) + "," + full(e.effects[u]) + "\n";
  }
  writeTextFile(path, text);
}

void writePatchJson(const std::string& path, const EffectContext& c, const PatchMap& p) {
  Json j = targetJson(c);
  j["quantity"] = c.quantity;
  j["clean_score"] = number(p.cleanScore);
  j["corrupt_score"] = number(p.corruptScore);
  j["restored"] = matrixRows(p.restored, false);  // per step, per unit
  writeTextFile(path, j.dump() + "\n");
}

void writePatchCsv(const std::string& path, const PatchMap& p) {
  std::string text = "step,unit,restored\n";
  for (long t = 0; t < p.restored.rows(); ++t)
    for (long u = 0; u < p.restored.cols(); ++u)
      text += std::to_string(t) + "," + std::to_string(u) + "," + full(p.restored(t, u)) + "\n";
  writeTextFile(path, text);
}

}  // namespace lstmscope::cli
