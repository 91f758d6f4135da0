#include "app/gui/unit_ordering.h"

#include <QRegularExpression>
#include <QStringList>
#include <algorithm>
#include <numeric>

namespace lstmscope::app {

std::vector<int> orderUnits(const UnitMoments& moments, const ViewState& state, const std::vector<int>& allowed) {
  std::vector<int> units = allowed;
  if (state.selectedOnly) {
    std::erase_if(units, [&](int u) {
      return std::find(state.selectedUnits.begin(), state.selectedUnits.end(), u) == state.selectedUnits.end();
    });
  }
  if (state.order == UnitOrder::Mean || state.order == UnitOrder::Variance) {
    const Vec<double>& key = state.order == UnitOrder::Mean ? moments.mean : moments.variance;
    std::stable_sort(units.begin(), units.end(), [&](int a, int b) { return key(a) > key(b); });
  } else if (state.order == UnitOrder::MatchScore) {
    const auto rank = [&](int u) {
      const auto it = std::find(state.selectedUnits.begin(), state.selectedUnits.end(), u);
      return it == state.selectedUnits.end() ? state.selectedUnits.size()
                                             : static_cast<size_t>(it - state.selectedUnits.begin());
    };
    std::stable_sort(units.begin(), units.end(), [&](int a, int b) { return rank(a) < rank(b); });
  }
  return units;
}

bool parseUnitRanges(const QString& text, int units, std::vector<int>& out, QString& error) {
  out.clear();
  const QString trimmed = text.trimmed();
  if (trimmed.isEmpty()) {
    out.resize(static_cast<size_t>(units));
    std::iota(out.begin(), out.end(), 0);
    return true;
  }
  static const QRegularExpression item(QStringLiteral("^\\s*(\\d+)\\s*(-\\s*(\\d*))?\\s*$"));
  std::vector<char> keep(static_cast<size_t>(units), 0);
  for (const QString& part : trimmed.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QRegularExpressionMatch m = item.match(part);
    if (!m.hasMatch()) {
      error = QStringLiteral("“%1” is not a unit or a range such as 0-31").arg(part.trimmed());
      return false;
    }
    const long first = m.captured(1).toLong();
    const long last = m.captured(2).isEmpty() ? first : m.captured(3).isEmpty() ? units - 1L : m.captured(3).toLong();
    for (long u = first; u <= std::min<long>(last, units - 1L); ++u) keep[static_cast<size_t>(u)] = 1;
  }
  for (int u = 0; u < units; ++u)
    if (keep[static_cast<size_t>(u)]) out.push_back(u);
  if (out.empty()) error = QStringLiteral("no unit in “%1” exists (this layer has %2)").arg(trimmed).arg(units);
  return !out.empty();
}

}  // namespace lstmscope::app
