#include <algorithm>
#include <iterator>
#include <limits>
#include <sstream>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/import_options.h"
#include "core/analysis/regex_track.h"
#include "core/analysis/text_labels.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {
namespace {

std::vector<Quantity> parseQuantities(const std::string& list, bool preactivations) {
  std::vector<Quantity> out;
  std::stringstream s(list);
  std::string name;
  while (std::getline(s, name, ',')) {
    Quantity q;
    if (!parseQuantity(name, q)) throw UsageError("unknown quantity '" + name + "' (use i, f, g, o, c, h)");
    if (std::find(out.begin(), out.end(), q) != out.end()) throw UsageError("--quantities names '" + name + "' twice");
    out.push_back(q);
  }
  if (out.empty()) throw UsageError("--quantities is empty");
  if (preactivations)
    for (Quantity q : {Quantity::PreI, Quantity::PreF, Quantity::PreG, Quantity::PreO}) out.push_back(q);
  return out;
}

MetaSpec parseMetaSpec(const std::string& spec, const std::vector<MetaSpec>& before) {
  const size_t eq = spec.find('=');
  MetaSpec m;
  m.name = spec.substr(0, eq);
  if (eq == std::string::npos || eq + 1 == spec.size())
    throw UsageError("--meta must be NAME=builtin:WHAT, NAME=regex:PATTERN or NAME=FILE, not '" + spec + "'");
  if (!validMetaName(m.name))
    throw UsageError("--meta: the name '" + m.name + "' must be 1 to 64 letters, digits, '_' or '-'");
  for (const MetaSpec& b : before)
    if (b.name == m.name) throw UsageError("--meta names the track '" + m.name + "' twice");
  const std::string source = spec.substr(eq + 1);
  if (source.rfind("builtin:", 0) == 0) {
    m.builtin = source.substr(8);
    if (findBuiltinLabel(m.builtin) == nullptr)
      throw UsageError("--meta: unknown builtin '" + m.builtin + "' (" + builtinLabelNames() + ")");
  } else if (source.rfind("regex:", 0) == 0) {
    m.regex = source.substr(6);
    if (m.regex.empty()) throw UsageError("--meta " + m.name + "=regex: needs a pattern after 'regex:'");
    if (const std::string problem = regexProblem(m.regex); !problem.empty())
      throw UsageError("--meta " + m.name + ": the regular expression '" + m.regex + "' is invalid: " + problem);
  } else {
    m.file = source;
  }
  return m;
}

}  // namespace

RecordOptions parseRecordOptions(const std::vector<std::string>& args) {
  const Args a(args,
               withImportOptions({"model", "text", "csv", "corpus", "label-column", "out", "quantities", "precision",
                                  "max-steps", "threads", "batch", "wav", "chunk", "hop"}),
               {"preactivations", "no-outputs", "quiet"}, {"text-file", "meta"});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  RecordOptions o;
  o.input = inputOptionsFrom(a, true);
  o.out = a.require("out");
  std::vector<std::string> inputs = o.input.textFiles;
  for (const std::string& in : {a.get("model"), a.get("csv"), a.get("corpus"), a.get("vocab"), a.get("wav")})
    inputs.push_back(in);
  checkOutputPath(o.out, inputs);
  const std::string precision = a.get("precision", "float");
  if (precision != "float" && precision != "double" && precision != "float16")
    throw UsageError("--precision must be float, double or float16");
  o.doublePrecision = precision == "double";
  o.float16 = precision == "float16";
  o.maxSteps = a.getLong("max-steps", o.maxSteps, 1, std::numeric_limits<int>::max());
  o.threads = parseThreads(a.getLong("threads", 0));
  o.request.quantities = parseQuantities(a.get("quantities", "i,f,g,o,c,h"), a.has("preactivations"));
  o.request.outputs = !a.has("no-outputs");
  if (o.input.isCorpus()) {
    o.request.documentBatch = a.getInt("batch", o.request.documentBatch, 1, 1 << 20);
  } else {
    o.request.segments = a.getInt("batch", 1, 1, 1 << 20);
  }
  if (o.request.segments > 1) {
    // Blocks of exactly one trace chunk per segment: each write fills whole chunks, and the batch's
    // working memory stays at (steps per chunk x segments) columns.
    o.request.chunkSteps = TraceWriter::kChunkSteps;
    o.request.segmentAlign = TraceWriter::kChunkSteps;
  }
  for (const std::string& spec : a.all("meta")) o.meta.push_back(parseMetaSpec(spec, o.meta));
  o.quiet = a.has("quiet");
  o.modelPath = a.require("model");
  o.vocabPath = a.get("vocab");
  o.importChoices = importChoicesFrom(a);
  o.importChoices.audioChunk = o.input.chunk;  // a streaming graph that leaves the length open is probed with it
  return o;
}

}  // namespace lstmscope::cli
