#include "app/gui/match_search.h"

#include <QObject>
#include <array>
#include <cmath>
#include <limits>

#include "core/analysis/trace_match.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"
#include "viz/token_text.h"

namespace lstmscope::app {
namespace {

// The pieces of a context that are shown: before the gap and after it (one of them empty without a gap).
std::array<std::pair<long, long>, 2> shownPieces(const MatchContext& context) {
  return {std::pair{context.first, context.gapFirst}, std::pair{context.gapEnd, context.end}};
}

// The texts of the shown steps, read from the trace in at most two pieces.
std::vector<std::string> stepTexts(const MatchSource& source, const MatchContext& context) {
  std::vector<std::string> text;
  for (const auto& [first, end] : shownPieces(context)) {
    if (end <= first) continue;
    if (source.trace && source.trace->hasTokenText()) {
      for (std::string& t : source.trace->tokenText(first, end - first)) text.push_back(std::move(t));
    } else if (!source.trace) {
      text.insert(text.end(), source.recording->tokens.begin() + first, source.recording->tokens.begin() + end);
    } else {
      text.resize(text.size() + static_cast<size_t>(end - first));
    }
  }
  return text;
}

// Each meta track's values at the shown steps, read from the trace in the same pieces.
std::vector<std::vector<float>> metaValues(const MatchSource& source, const MatchContext& context) {
  std::vector<std::vector<float>> values;
  if (!source.trace || !source.metaStyles) return values;
  for (const viz::MetaTrackStyle& style : *source.metaStyles) {
    values.emplace_back();
    for (const auto& [first, end] : shownPieces(context))
      if (end > first) {
        const MetaTrack piece = source.trace->meta(style.name.toStdString(), first, end - first);
        values.back().insert(values.back().end(), piece.values.begin(), piece.values.end());
      }
  }
  return values;
}

viz::MatchRow matchRow(const MatchSource& source, const Match& match, const MatchContext& context) {
  viz::MatchRow row;
  std::vector<std::string> text = stepTexts(source, context);
  const bool gap = context.gapEnd > context.gapFirst;
  const auto gapAt = static_cast<qsizetype>(context.gapFirst - context.first);
  row.tokens = viz::displayTokens(text);
  for (const std::string& t : text) row.text << QString::fromStdString(t);
  row.onCount = context.onCount;
  row.meta = metaValues(source, context);
  if (gap) {  // the steps left out of a long run, as one token that says how many
    const QString skipped = QObject::tr(" … %L1 steps … ").arg(context.gapEnd - context.gapFirst);
    row.tokens.insert(gapAt, skipped);
    row.text.insert(gapAt, QStringLiteral(" … "));
    row.onCount.insert(row.onCount.begin() + gapAt, static_cast<int>(match.intersection));
    for (auto& values : row.meta) values.insert(values.begin() + gapAt, std::numeric_limits<float>::quiet_NaN());
  }
  row.runFirst = static_cast<int>(match.start - context.first);
  row.runEnd = static_cast<int>(row.runFirst + std::min<long>(match.length, gap ? 2 * kRunShown + 1 : match.length));
  row.intersection = match.intersection, row.unionSize = match.unionSize;
  const QString name = source.trace ? QString::fromStdString(source.trace->documentNames()[match.document]) : QString();
  row.start = match.start, row.length = match.length, row.document = name, row.units = match.units;
  // The step first: a long document name is what gets cut.
  row.label = QObject::tr("step %L1 (%L2)").arg(match.start).arg(match.length);
  if (!name.isEmpty()) row.label += QStringLiteral(" · ") + name;
  return row;
}

}  // namespace

MatchFound searchMatches(const MatchSource& source, const MatchQuery& query, const ProgressCallbacks& progress) {
  MatchFound found;
  found.selected = static_cast<int>(query.units.size());
  StepWindowReader values;
  std::vector<int64_t> offsets;
  if (source.trace) {
    const TraceReader& trace = *source.trace;
    const TraceMatch match = matchTrace(trace, source.layer, source.direction, source.quantity, query, true, progress);
    found.result = match.result;
    found.fromIndex = match.fromIndex;
    values = [trace = source.trace, source](long first, long count) {
      return trace->read(source.layer, source.direction, source.quantity, first, count);
    };
    offsets = trace.documentOffsets();
    if (source.metaStyles) found.meta = *source.metaStyles;
  } else {
    const Recording& r = *source.recording;
    if (!r.has(source.layer, source.direction, source.quantity))
      throw InputError("the analysis", "it does not hold this quantity");
    const Mat<float>& m = r.values(source.layer, source.direction, source.quantity);
    for (int u : query.units)
      if (u < 0 || u >= m.rows()) throw InputError("the analysis", "unit " + std::to_string(u) + " does not exist");
    values = [matrix = &m](long first, long count) { return Mat<float>(matrix->middleCols(first, count)); };
    offsets = {0, r.steps};
    found.result = findMatches(values, static_cast<int>(m.rows()), offsets, query, progress);
  }
  for (const Match& match : found.result.matches) {
    checkCancelled(progress);
    found.rows.push_back(
        matchRow(source, match, matchContext(values, offsets, match, query, kMatchContext, kRunShown)));
  }
  return found;
}

}  // namespace lstmscope::app
