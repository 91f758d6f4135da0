#include "app/gui/match_search.h"

#include <QObject>
#include <cmath>
#include <limits>

#include "core/analysis/trace_match.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"
#include "viz/token_text.h"

namespace lstmscope::app {
namespace {

// The texts of `steps` (consecutive but for one gap), read from the trace in at most two pieces.
std::vector<std::string> stepTexts(const MatchSource& source, const MatchContext& context) {
  std::vector<std::string> text;
  for (const auto& [first, end] :
       {std::pair{context.first, context.gapFirst}, std::pair{context.gapEnd, context.end}}) {
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

viz::MatchRow matchRow(const MatchSource& source, const Match& match, const MatchContext& context,
                       const std::vector<MetaTrack>& meta) {
  viz::MatchRow row;
  std::vector<std::string> text = stepTexts(source, context);
  const bool gap = context.gapEnd > context.gapFirst;
  const auto gapAt = static_cast<qsizetype>(context.gapFirst - context.first);
  row.tokens = viz::displayTokens(text);
  for (const std::string& t : text) row.text << QString::fromStdString(t);
  row.onCount = context.onCount;
  for (const MetaTrack& track : meta) {
    row.meta.emplace_back();
    for (long step : context.steps) row.meta.back().push_back(track.values[static_cast<size_t>(step)]);
  }
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

viz::MetaTrackStyle metaTrackStyle(const MetaTrack& track) {
  viz::MetaTrackStyle s;
  s.name = QString::fromStdString(track.name);
  for (const std::string& c : track.categories) s.categories << QString::fromStdString(c);
  if (!track.values.empty() && !track.categorical()) {
    const auto [low, high] = std::minmax_element(track.values.begin(), track.values.end());
    s.low = *low, s.high = *high;
  }
  return s;
}

MatchFound searchMatches(const MatchSource& source, const MatchQuery& query, const ProgressCallbacks& progress) {
  MatchFound found;
  found.selected = static_cast<int>(query.units.size());
  StepWindowReader values;
  std::vector<int64_t> offsets;
  std::vector<MetaTrack> meta;
  if (source.trace) {
    const TraceReader& trace = *source.trace;
    const TraceMatch match = matchTrace(trace, source.layer, source.direction, source.quantity, query, true, progress);
    found.result = match.result;
    found.fromIndex = match.fromIndex;
    values = [trace = source.trace, source](long first, long count) {
      return trace->read(source.layer, source.direction, source.quantity, first, count);
    };
    offsets = trace.documentOffsets();
    for (const std::string& name : trace.metaNames()) meta.push_back(trace.meta(name));
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
  for (const MetaTrack& track : meta) found.meta.push_back(metaTrackStyle(track));
  for (const Match& match : found.result.matches) {
    checkCancelled(progress);
    found.rows.push_back(
        matchRow(source, match, matchContext(values, offsets, match, query, kMatchContext, kRunShown), meta));
  }
  return found;
}

}  // namespace lstmscope::app
