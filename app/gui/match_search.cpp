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

std::vector<viz::MetaTrackStyle> metaStyles(const std::vector<MetaTrack>& tracks) {
  std::vector<viz::MetaTrackStyle> styles;
  for (const MetaTrack& t : tracks) {
    viz::MetaTrackStyle s;
    s.name = QString::fromStdString(t.name);
    for (const std::string& c : t.categories) s.categories << QString::fromStdString(c);
    if (!t.values.empty() && !t.categorical()) {
      const auto [low, high] = std::minmax_element(t.values.begin(), t.values.end());
      s.low = *low, s.high = *high;
    }
    styles.push_back(std::move(s));
  }
  return styles;
}

}  // namespace

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
  found.meta = metaStyles(meta);
  for (const Match& match : found.result.matches) {
    checkCancelled(progress);
    const MatchContext context = matchContext(values, offsets, match, query, kMatchContext);
    viz::MatchRow row;
    std::vector<std::string> text;
    if (source.trace && source.trace->hasTokenText())
      text = source.trace->tokenText(context.first, context.end - context.first);
    else if (!source.trace)
      text.assign(source.recording->tokens.begin() + context.first, source.recording->tokens.begin() + context.end);
    text.resize(static_cast<size_t>(context.end - context.first));
    row.tokens = viz::displayTokens(text);
    for (const std::string& t : text) row.text << QString::fromStdString(t);
    row.runFirst = static_cast<int>(match.start - context.first);
    row.runEnd = static_cast<int>(row.runFirst + match.length);
    row.onCount = context.onCount;
    row.intersection = match.intersection, row.unionSize = match.unionSize;
    const QString name =
        source.trace ? QString::fromStdString(source.trace->documentNames()[match.document]) : QString();
    row.label = name.isEmpty() ? QObject::tr("step %L1").arg(match.start)
                               : QObject::tr("%1 · step %L2").arg(name).arg(match.start);
    for (const MetaTrack& track : meta)
      row.meta.emplace_back(track.values.begin() + context.first, track.values.begin() + context.end);
    found.rows.push_back(std::move(row));
  }
  return found;
}

}  // namespace lstmscope::app
