#include "app/gui/probe_job.h"

#include <algorithm>
#include <thread>

#include "core/analysis/recording.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"
#include "core/probing/label_sources.h"

namespace lstmscope::app {
namespace {

ProbeLabel labelOf(const ProbeRequest& r, const std::vector<std::string>& tokens, const std::vector<int64_t>& offsets,
                   const std::string& separator) {
  requireTokenPerStep(r.label, r.trace ? r.trace->stepsReadTokenWindows() : r.recording->arch.stepsReadTokenWindows(),
                      r.trace ? r.trace->path() : std::string("the text"));
  if (r.label.rfind("meta:", 0) != 0) return probeLabelFromSpec(r.label, tokens, offsets, separator);
  if (!r.trace) throw InputError("the text", "has no meta tracks: they come with a trace");
  const MetaTrack track = r.trace->meta(r.label.substr(5));
  return makeProbeLabel(r.label, {track.values.begin(), track.values.end()}, track.categories);
}

}  // namespace

ProbeFindings runProbeRequest(const ProbeRequest& r, const ProgressCallbacks& callbacks) {
  ProbeFindings f;
  std::vector<std::string> tokens;
  std::vector<int64_t> offsets;
  std::string separator;
  std::vector<int> directions;
  QuantityValues read;
  if (r.trace) {
    const TraceReader& trace = *r.trace;
    tokens = trace.tokenText(), offsets = trace.documentOffsets(), separator = tokenSeparator(tokens);
    f.directionNames = trace.directionNames();
    for (int l = 0; l < trace.layers(); ++l) directions.push_back(trace.directions(l));
    read = [&trace](const QuantityRef& q) { return trace.read(q.layer, q.direction, q.quantity, 0, trace.steps()); };
  } else {
    const Recording& rec = *r.recording;
    tokens = rec.tokens, offsets = {0, rec.steps};
    const bool characters = rec.arch.inputKind == InputKind::Tokens && rec.arch.vocab.level() == TokenLevel::Char;
    separator = characters ? "" : " ";
    for (int l = 0; l < static_cast<int>(rec.arch.layers.size()); ++l) {
      directions.push_back(rec.directions(l));
      f.directionNames.emplace_back();
      for (int d = 0; d < rec.directions(l); ++d)
        f.directionNames.back().push_back(directionName(rec.arch.layers[l], d));
    }
    read = [&rec](const QuantityRef& q) { return rec.values(q.layer, q.direction, q.quantity); };
  }
  f.steps = static_cast<long>(tokens.size());
  {
    long widest = 0, features = 0;
    for (size_t l = 0; l < directions.size(); ++l) {
      const long units = r.trace ? r.trace->units(static_cast<int>(l)) : r.recording->hidden(static_cast<int>(l));
      widest = std::max(widest, units), features += r.probe ? units * directions[l] : 0;
      f.unitsPerLayer.push_back(static_cast<int>(units));
    }
    checkProbeMemory(f.steps, widest, features, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
                     r.trace ? r.trace->path() : std::string("the text"));
  }
  f.label = labelOf(r, tokens, offsets, separator);
  f.metric = defaultRankingMetric(f.label.kind);

  std::vector<QuantityRef> which;
  for (const Quantity q : r.quantities)
    for (int l = 0; l < static_cast<int>(directions.size()); ++l)
      for (int d = 0; d < directions[static_cast<size_t>(l)]; ++d) which.push_back({l, d, q});
  const int layers = static_cast<int>(directions.size());
  const long probes = r.probe ? static_cast<long>(r.quantities.size()) * (layers > 1 ? layers + 1 : 1) : 0;
  // The L1 path counts as many steps as it has points at most.
  const long pathPoints = r.probe ? 16 : 0;
  const long total = static_cast<long>(which.size()) + probes + pathPoints;
  ProgressCallbacks ranking = callbacks;
  ranking.progress = [&](long done, long) { reportProgress(callbacks, done, total); };
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  f.ranking = rankUnits(which, read, f.label, f.metric, threads, ranking);
  if (!r.probe) return f;

  const ProbeSplit split = splitByDocuments(offsets);
  const std::vector<double> control = controlLabels(f.label, tokens, 1);
  ProbeSettings settings;
  settings.kind = defaultProbeKind(f.label.kind);
  long done = static_cast<long>(which.size());
  for (const Quantity q : r.quantities)
    for (int l = 0; l < (layers > 1 ? layers + 1 : 1); ++l) {
      checkCancelled(callbacks);
      ProbeOutcome p = runProbe(l < layers ? l : -1, q, directions, read, f.label, control, split, settings);
      if (f.best < 0 || p.testScore > f.curve[static_cast<size_t>(f.best)].testScore) {
        if (f.best >= 0) f.curve[static_cast<size_t>(f.best)].predictions.clear();
        f.best = static_cast<int>(f.curve.size());
      } else {
        p.predictions.clear();
      }
      f.curve.push_back(std::move(p));
      reportProgress(callbacks, ++done, total);
    }
  const ProbeOutcome& best = f.curve[static_cast<size_t>(f.best)];
  ProgressCallbacks path = callbacks;
  path.progress = [&](long point, long) { reportProgress(callbacks, done + point, total); };
  f.l1 = runL1Path(best.layer, best.quantity, directions, read, f.label, split, settings, best.testScore, path);
  reportProgress(callbacks, total, total);  // the path may stop before its 16th point
  return f;
}

}  // namespace lstmscope::app
