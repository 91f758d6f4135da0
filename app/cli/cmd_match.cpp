// `lstmscope-cli match`: LSTMVis's match view over a whole trace (core/analysis/match.h), written as JSON
// or CSV (docs/CLI.md "match").
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "app/cli/text_output.h"
#include "core/analysis/trace_match.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"
#include "core/parallel/parallel_match.h"
#include "core/parallel/ranks.h"

namespace lstmscope::cli {

const char* const kMatchHelp =
    "usage: lstmscope-cli match --trace TRACE.h5 --quantity L/DIR/Q --units U,U,... --out M.json|M.csv\n"
    "                           [--threshold X] [--transform tanh|raw] [--constrain-left] [--constrain-right]\n"
    "                           [--phrase-length N] [--top N] [--no-index]\n"
    "\n"
    "Finds every run of steps where the selected units are on, over the whole trace, and ranks them as\n"
    "LSTMVis's match view does (docs/CLI.md \"match\"): for k = |units| down to 1, every maximal run of at\n"
    "least 2 steps (exactly N with --phrase-length) inside one document where at least k selected units are\n"
    "on is a candidate; its S2 is the set of all units on at every step of the run (and off just before and\n"
    "after it with --constrain-left/--constrain-right; outside a document counts as off). Candidates are\n"
    "ranked by |units & S2| (more first), |units | S2| (fewer first), length (longer first), start.\n"
    "  --quantity L/DIR/Q  layer, direction (fwd, bwd) and quantity (i f g o c h), e.g. 0/fwd/c\n"
    "  --units             the selected units, e.g. 3,17,42\n"
    "  --threshold X       a unit is on where its value is >= X (default 0.3)\n"
    "  --transform         tanh: compare tanh(value) (default for c); raw: the value (default otherwise)\n"
    "  --top N             matches to write (default 50)\n"
    "  --no-index          scan the values even where the trace's match index answers (the same result)\n"
    "M.json: {\"matches\": [{\"start\", \"length\", \"document\", \"document_name\", \"intersection\", \"union\",\n"
    "\"units\", \"text\"}], \"candidates\", \"steps\"}; start is a step of the trace. M.csv: one row per match.\n"
    "Under mpirun (the MPI build, docs/SCALING.md) the ranks share the documents; the answer is the same.\n";

namespace {

// Every match's run as text. The runs are read in the order of their starts, a block of token text at a
// time: read one by one, each read of a variable-length string dataset costs about a millisecond, and
// `--top 100000` took minutes. A corpus's token text can be gigabytes, so only one block is held.
std::vector<std::string> runTexts(const TraceReader& trace, const std::vector<Match>& matches) {
  std::vector<std::string> texts(matches.size());
  if (!trace.hasTokenText()) return texts;
  constexpr long kBlock = 65536;
  std::vector<size_t> order(matches.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return matches[a].start < matches[b].start; });
  long blockFirst = -1;
  std::vector<std::string> block;
  for (size_t k : order) {
    const Match& m = matches[k];
    if (m.length > kBlock) {  // a run longer than a block: read alone
      for (const std::string& token : trace.tokenText(m.start, m.length)) texts[k] += token;
      continue;
    }
    if (blockFirst < 0 || m.start < blockFirst || m.start + m.length > blockFirst + static_cast<long>(block.size())) {
      blockFirst = m.start;
      block = trace.tokenText(blockFirst, std::min(kBlock, trace.steps() - blockFirst));
    }
    for (long t = m.start; t < m.start + m.length; ++t) texts[k] += block[static_cast<size_t>(t - blockFirst)];
  }
  return texts;
}

std::string unitList(const std::vector<int>& units, const char* separator) {
  std::string s;
  for (size_t k = 0; k < units.size(); ++k) s += (k ? separator : "") + std::to_string(units[k]);
  return s;
}

std::string matchJson(const MatchResult& r, const TraceReader& trace) {
  nlohmann::ordered_json matches = nlohmann::ordered_json::array();
  const std::vector<std::string> texts = runTexts(trace, r.matches);
  for (size_t k = 0; k < r.matches.size(); ++k) {
    const Match& m = r.matches[k];
    matches.push_back({{"start", m.start},
                       {"length", m.length},
                       {"document", m.document},
                       {"document_name", trace.documentNames()[m.document]},
                       {"intersection", m.intersection},
                       {"union", m.unionSize},
                       {"units", m.units},
                       {"text", texts[k]}});
  }
  nlohmann::ordered_json out = {{"matches", matches}, {"candidates", r.candidates}, {"steps", r.steps}};
  // Token text is the input's own bytes; a byte that is not UTF-8 is replaced rather than refused.
  return out.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string matchCsv(const MatchResult& r, const TraceReader& trace) {
  std::string csv = "rank,start,length,document,document_name,intersection,union,units,text\n";
  const std::vector<std::string> texts = runTexts(trace, r.matches);
  for (size_t k = 0; k < r.matches.size(); ++k) {
    const Match& m = r.matches[k];
    csv += std::to_string(k + 1) + "," + std::to_string(m.start) + "," + std::to_string(m.length) + "," +
           std::to_string(m.document) + "," + csvQuoted(trace.documentNames()[m.document]) + "," +
           std::to_string(m.intersection) + "," + std::to_string(m.unionSize) + "," +
           csvQuoted(unitList(m.units, " ")) + "," + csvQuoted(texts[k]) + "\n";
  }
  return csv;
}

}  // namespace

int runMatch(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kMatchHelp)) return 0;
  MatchOptions o;
  std::optional<TraceReader> opened;
  int direction = 0;
  ranks::agreeOn([&] {  // under mpirun, before the ranks' first collective (core/parallel/ranks.h)
    o = parseMatchOptions(args);
    opened.emplace(o.tracePath);
    direction = traceDirection(*opened, o.what);
    for (int u : o.query.units)  // said in terms of the option (matchTrace would say it of the query)
      requireUnitInLayer(*opened, o.what, u, "--units: unit " + std::to_string(u));
  });
  const TraceReader& trace = *opened;
  ProgressCallbacks progress;
  if (isatty(2) && ranks::isRoot())
    progress.progress = [](long done, long total) { std::fprintf(stderr, "\rmatching: %ld / %ld steps", done, total); };
  // Under mpirun (docs/SCALING.md) the ranks share the documents; the root writes the answer.
  const TraceMatch match =
      ranks::size() > 1
          ? matchTraceAcrossRanks(trace, o.what.layer, direction, o.what.quantity, o.query, o.useIndex, progress)
          : matchTrace(trace, o.what.layer, direction, o.what.quantity, o.query, o.useIndex, progress);
  if (!ranks::isRoot()) return 0;
  const MatchResult& result = match.result;
  writeTextFile(o.out, o.json ? matchJson(result, trace) : matchCsv(result, trace));
  std::fprintf(stderr, "%swrote %s: %zu of %ld candidates over %ld steps (%s)\n", isatty(2) ? "\n" : "", o.out.c_str(),
               result.matches.size(), result.candidates, result.steps,
               match.fromIndex ? "from the trace's match index" : "scanning the values");
  return 0;
}

}  // namespace lstmscope::cli
