#include <algorithm>
#include <limits>
#include <sstream>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/import_options.h"
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

}  // namespace

RecordOptions parseRecordOptions(const std::vector<std::string>& args) {
  const Args a(args,
               withImportOptions({"model", "text", "csv", "corpus", "label-column", "out", "quantities", "precision",
                                  "max-steps", "threads", "batch"}),
               {"preactivations", "no-outputs", "quiet"}, {"text-file"});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  RecordOptions o;
  o.input = inputOptionsFrom(a);
  o.out = a.require("out");
  std::vector<std::string> inputs = o.input.textFiles;
  for (const std::string& in : {a.get("model"), a.get("csv"), a.get("corpus"), a.get("vocab")}) inputs.push_back(in);
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
  o.quiet = a.has("quiet");
  o.modelPath = a.require("model");
  o.vocabPath = a.get("vocab");
  o.importChoices = importChoicesFrom(a);
  return o;
}

}  // namespace lstmscope::cli
