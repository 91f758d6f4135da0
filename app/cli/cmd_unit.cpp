// `lstmscope-cli unit`: one unit's dashboard over a whole trace (core/analysis/unit_dashboard.h): its
// histogram and the contexts where it is highest and lowest, as a report or as JSON (docs/CLI.md "unit").
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "app/cli/text_output.h"
#include "core/analysis/unit_dashboard.h"
#include "core/formats/trace_file.h"
#include "core/parallel/parallel_unit.h"
#include "core/parallel/ranks.h"

namespace lstmscope::cli {

const char* const kUnitHelp =
    "usage: lstmscope-cli unit --trace TRACE.h5 --quantity L/DIR/Q --unit U [--radius N] [--out UNIT.json]\n"
    "\n"
    "One unit over the whole trace (docs/CLI.md \"unit\"): how many values it has, their mean, standard\n"
    "deviation, minimum and maximum, a histogram of 64 bins, and the 20 steps where it is highest and the\n"
    "20 where it is lowest, each with its context (two kept steps of one document are more than 10 steps\n"
    "apart). Traces recorded by this version store these summaries; for an older trace they are computed by\n"
    "one pass over its values.\n"
    "  --quantity L/DIR/Q  layer, direction (fwd, bwd) and quantity (i f g o c h), e.g. 0/fwd/c\n"
    "  --unit U            the unit\n"
    "  --radius N          steps of context on each side of an extreme step (default 10)\n"
    "  --out UNIT.json     write everything as JSON instead of printing a report\n"
    "Under mpirun (the MPI build, docs/SCALING.md) the ranks share that pass; the numbers are the same.\n";

namespace {

// A token as a terminal shows it: line breaks and tabs as escapes, so a context stays on one line.
std::string visible(const std::string& token) {
  std::string s;
  for (char c : token) s += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
  return s;
}

// The context with the extreme step's token between « and ».
std::string contextLine(const UnitContext& c) {
  std::string s;
  for (size_t k = 0; k < c.tokens.size(); ++k) {
    const bool at = c.first + static_cast<long>(k) == c.step;
    s += (at ? "«" : "") + visible(c.tokens[k]) + (at ? "»" : "");  // not brackets: code is full of them
  }
  return s;
}

std::string report(const TraceReader& trace, const UnitOptions& o, const UnitDashboard& d) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line, "unit %d of %d/%s/%s in %s (%ld steps, %d documents; %s)\n", d.unit, o.what.layer,
                o.what.direction.c_str(), quantityName(o.what.quantity), trace.path().c_str(), trace.steps(),
                trace.documents(),
                d.stored ? "summaries stored by record" : "summaries computed by a pass over the values");
  out += line;
  std::snprintf(line, sizeof line, "values: %lld finite, %lld not finite; mean %.6g, std %.6g, min %.6g, max %.6g\n",
                static_cast<long long>(d.count), static_cast<long long>(d.nonFinite), d.mean, d.stddev, d.min, d.max);
  out += line;
  if (d.count == 0) return out;
  const auto used = [&](auto from, auto to) { return std::find_if(from, to, [](int64_t n) { return n > 0; }); };
  const long firstBin = used(d.histogram.begin(), d.histogram.end()) - d.histogram.begin();
  const long lastBin = static_cast<long>(d.histogram.size()) - 1 -
                       (used(d.histogram.rbegin(), d.histogram.rend()) - d.histogram.rbegin());
  const int64_t most = *std::max_element(d.histogram.begin(), d.histogram.end());
  std::snprintf(line, sizeof line, "histogram (bins of width %.6g):\n", d.binWidth);
  out += line;
  for (long b = firstBin; b <= lastBin; ++b) {
    const int64_t n = d.histogram[static_cast<size_t>(b)];
    const int bar = static_cast<int>(std::lround(40.0 * static_cast<double>(n) / static_cast<double>(most)));
    std::snprintf(line, sizeof line, "  [%10.4g, %10.4g) %12lld %s\n", d.binStart + b * d.binWidth,
                  d.binStart + (b + 1) * d.binWidth, static_cast<long long>(n), std::string(bar, '#').c_str());
    out += line;
  }
  for (const auto& [title, contexts] : {std::pair{"highest", &d.highest}, std::pair{"lowest", &d.lowest}}) {
    out += std::string(title) + ":\n";
    for (size_t k = 0; k < contexts->size(); ++k) {
      const UnitContext& c = (*contexts)[k];
      const std::string& name = trace.documentNames()[c.document];
      std::snprintf(line, sizeof line, "  %2zu. %10.4g  step %ld%s%s  ", k + 1, c.value, c.step,
                    name.empty() ? "" : " of ", name.c_str());
      out += line + contextLine(c) + "\n";
    }
  }
  return out;
}

nlohmann::ordered_json contextsJson(const TraceReader& trace, const std::vector<UnitContext>& contexts) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const UnitContext& c : contexts)
    list.push_back({{"step", c.step},
                    {"value", c.value},
                    {"document", c.document},
                    {"document_name", trace.documentNames()[c.document]},
                    {"first", c.first},
                    {"tokens", c.tokens},
                    {"values", c.values}});
  return list;
}

std::string dashboardJson(const TraceReader& trace, const UnitOptions& o, const UnitDashboard& d) {
  const auto number = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); };
  nlohmann::ordered_json out = {
      {"unit", d.unit},
      {"layer", o.what.layer},
      {"direction", o.what.direction},
      {"quantity", quantityName(o.what.quantity)},
      {"stored", d.stored},
      {"count", d.count},
      {"non_finite", d.nonFinite},
      {"mean", number(d.mean)},
      {"std", number(d.stddev)},
      {"min", number(d.min)},
      {"max", number(d.max)},
      {"histogram", {{"start", number(d.binStart)}, {"width", number(d.binWidth)}, {"counts", d.histogram}}},
      {"highest", contextsJson(trace, d.highest)},
      {"lowest", contextsJson(trace, d.lowest)}};
  return out.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

int runUnit(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kUnitHelp)) return 0;
  UnitOptions o;
  std::optional<TraceReader> opened;
  int direction = 0;
  ranks::agreeOn([&] {  // under mpirun, before the ranks' first collective (core/parallel/ranks.h)
    o = parseUnitOptions(args);
    opened.emplace(o.tracePath);
    direction = traceDirection(*opened, o.what);
    requireUnitInLayer(*opened, o.what, o.unit, "--unit " + std::to_string(o.unit));
  });
  const TraceReader& trace = *opened;
  ProgressCallbacks progress;
  if (isatty(2) && ranks::isRoot())
    progress.progress = [](long done, long total) {
      std::fprintf(stderr, "\rsummarising: %ld / %ld steps", done, total);
    };
  // Under mpirun (docs/SCALING.md) the ranks share the pass over a trace that stores no summaries.
  const QuantitySummaries summaries =
      ranks::size() > 1 ? quantitySummariesAcrossRanks(trace, o.what.layer, direction, o.what.quantity, progress)
                        : quantitySummaries(trace, o.what.layer, direction, o.what.quantity, progress);
  if (!ranks::isRoot()) return 0;
  if (!summaries.stored && isatty(2)) std::fputc('\n', stderr);
  const UnitDashboard d = unitDashboard(traceUnitValues(trace, o.what.layer, direction, o.what.quantity), summaries,
                                        o.unit, o.tracePath, o.radius);
  if (o.out.empty()) {
    std::fputs(report(trace, o, d).c_str(), stdout);
  } else {
    writeTextFile(o.out, dashboardJson(trace, o, d));
    std::fprintf(stderr, "wrote %s\n", o.out.c_str());
  }
  return 0;
}

}  // namespace lstmscope::cli
