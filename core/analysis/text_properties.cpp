#include "core/analysis/text_properties.h"

#include <cmath>

#include "core/analysis/text_labels.h"

namespace lstmscope {

std::vector<TextProperty> textProperties(const std::vector<std::string>& stepTokens) {
  // The built-in labels' definitions (docs/PROBES.md "Built-in labels"), so that the unit the app opens on
  // tracks what `probe --label builtin:…` means by the same name.
  const std::vector<int64_t> wholeText{0, static_cast<int64_t>(stepTokens.size())};
  std::vector<TextProperty> out;
  for (const auto& [label, title] : {std::pair{"bracket-depth", "bracket depth"}, std::pair{"quote", "inside quotes"},
                                     std::pair{"line-position", "position in line"}}) {
    const std::vector<double> v = builtinLabel(label, stepTokens, wholeText, "");
    out.push_back({title, Eigen::Map<const Vec<double>>(v.data(), static_cast<long>(v.size()))});
  }
  return out;
}

TrackingUnit bestTrackingUnit(const Mat<float>& values, const std::vector<TextProperty>& properties) {
  TrackingUnit best;
  const long H = values.rows(), T = values.cols();
  if (H == 0 || T == 0) return best;
  // The centred properties, then one pass over the steps (contiguous columns, in double) for every
  // unit's sum, sum of squares and dot product with each property: no double copy of the recording
  // (100,000 steps x 256 units would be 200 MB, and centring it another 200 MB).
  std::vector<Vec<double>> centred;
  std::vector<const TextProperty*> used;
  for (const TextProperty& p : properties) {
    if (p.values.size() != T) continue;
    Vec<double> q = p.values.array() - p.values.mean();
    if (!(q.norm() > 0)) continue;  // constant over this text: nothing to track
    centred.push_back(std::move(q)), used.push_back(&p);
  }
  Vec<double> sum = Vec<double>::Zero(H), squares = Vec<double>::Zero(H);
  Mat<double> dots = Mat<double>::Zero(H, static_cast<long>(centred.size()));
  for (long t = 0; t < T; ++t) {
    const Vec<double> column = values.col(t).cast<double>();
    sum += column, squares += column.cwiseAbs2();
    for (size_t k = 0; k < centred.size(); ++k) dots.col(static_cast<long>(k)) += column * centred[k](t);
  }
  // sqrt(T * variance) of every unit; the dot with a centred property needs no centring of the unit.
  const Vec<double> spread = (squares - sum.cwiseAbs2() / static_cast<double>(T)).cwiseMax(0).cwiseSqrt();
  for (size_t k = 0; k < centred.size(); ++k) {
    const Vec<double> r = dots.col(static_cast<long>(k)).cwiseQuotient(spread * centred[k].norm());
    for (long u = 0; u < H; ++u)
      if (spread(u) > 0 && std::isfinite(r(u)) && std::abs(r(u)) > std::abs(best.correlation))
        best = {used[k]->name, static_cast<int>(u), r(u)};
  }
  if (best.unit >= 0 && std::abs(best.correlation) >= kTrackingCorrelation) return best;
  long widest = 0;
  for (long u = 1; u < H; ++u)
    if (spread(u) > spread(widest)) widest = u;
  return {"", static_cast<int>(widest), 0.0};
}

}  // namespace lstmscope
