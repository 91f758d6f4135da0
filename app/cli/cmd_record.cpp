#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "app/cli/import_options.h"
#include "app/cli/table_input.h"
#include "core/common/error.h"
#include "core/engine/record.h"
#include "core/formats/model_loader.h"
#include "core/formats/sequence_input.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {

const char* const kRecordHelp =
    "usage: lstmscope-cli record --model MODEL [--vocab V] (--text STR | --text-file F | --csv F) --out TRACE.h5\n"
    "                            [--label-column C]\n"
    "                            [--quantities i,f,g,o,c,h] [--preactivations] [--no-outputs]\n"
    "                            [--precision float|double] [--max-steps N] [--batch N] [--threads N] [--quiet]\n"
    "                            [import options: see lstmscope-cli info --help]\n"
    "\n"
    "Runs MODEL over the input and writes a trace (docs/FORMAT.md): per layer, direction and step the gate\n"
    "activations i f g o, the cell state c and the hidden output h, and the head's logits and probabilities.\n"
    "  --csv F           a model of numeric features reads a CSV table: one row per step, one column per\n"
    "                    feature, optional header; columns that are not numbers (a date) label the steps\n"
    "  --label-column C  the column whose values go to /token_text (default: step numbers)\n"
    "  --quantities      comma-separated subset to record (default all six)\n"
    "  --preactivations  also record the gate pre-activations pre_i pre_f pre_g pre_o\n"
    "  --no-outputs      do not record the head's outputs\n"
    "  --precision       compute in float (default) or double; the trace stores float32 either way\n"
    "  --max-steps       refuse inputs longer than this many tokens (default 10000000)\n"
    "  --batch N         corpus mode: cut the input into N equal segments and run them as one batch, each\n"
    "                    starting from a zero state like a separate document (default 1: one exact run)\n"
    "  --threads         worker threads (default: all cores)\n"
    "The trace is written to a temporary file as the run progresses and renamed when complete.\n";

namespace {

const std::string kLimitAdvice = "raise it with --max-steps";

double peakMemoryMB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Progress goes to a terminal only; logs get the summary line.
ProgressCallbacks progressOnTerminal(bool quiet) {
  if (quiet || !isatty(2)) return {};
  return {{}, [](long done, long total) {
            if (total > 0) std::fprintf(stderr, "\rrecording: %ld / %ld steps", done, total);
          }};
}

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

int runRecord(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kRecordHelp)) return 0;
  const Args a(args,
               withImportOptions({"model", "text", "text-file", "csv", "label-column", "out", "quantities", "precision",
                                  "max-steps", "threads", "batch"}),
               {"preactivations", "no-outputs", "quiet"});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  const int sources = a.has("text") + a.has("text-file") + a.has("csv");
  if (sources != 1) throw UsageError("give exactly one of --text, --text-file or --csv");
  if (a.has("label-column") && !a.has("csv")) throw UsageError("--label-column applies to --csv only");
  const std::string out = a.require("out");
  checkOutputPath(out, {a.get("model"), a.get("text-file"), a.get("csv"), a.get("vocab")});
  const std::string precision = a.get("precision", "float");
  if (precision != "float" && precision != "double") throw UsageError("--precision must be float or double");
  const long maxSteps = a.getLong("max-steps", 10'000'000, 1, std::numeric_limits<long>::max());
  applyThreads(a.getLong("threads", 0));
  RecordRequest request;
  request.quantities = parseQuantities(a.get("quantities", "i,f,g,o,c,h"), a.has("preactivations"));
  request.outputs = !a.has("no-outputs");
  request.segments = a.getInt("batch", 1, 1, 1 << 20);
  if (request.segments > 1) {
    // Blocks of exactly one trace chunk per segment: each write fills whole chunks, and the batch's
    // working memory stays at (steps per chunk x segments) columns.
    request.chunkSteps = TraceWriter::kChunkSteps;
    request.segmentAlign = TraceWriter::kChunkSteps;
  }

  const auto start = std::chrono::steady_clock::now();
  const Model model = importModel(a.require("model"), a.get("vocab"), importChoicesFrom(a)).model;
  TraceHeader header;
  header.modelName = model.arch.name;
  Inputs<float> inputs;
  if (a.has("csv")) {
    EncodedText table = readTableInput(model.arch, a.get("csv"), a.get("label-column"), maxSteps, kLimitAdvice);
    inputs = std::move(table.inputs);
    header.features = inputs.features;
    header.tokenText = std::move(table.surface);
  } else {
    EncodedText enc = a.has("text") ? encodeText(model.arch, a.get("text"), "--text", maxSteps, kLimitAdvice)
                                    : encodeTextFile(model.arch, a.get("text-file"), maxSteps, kLimitAdvice);
    inputs = std::move(enc.inputs);
    header.tokens = inputs.tokens;
    header.tokenText = std::move(enc.surface);
  }
  header.steps = inputs.steps;

  TraceWriter writer(out, model.arch, model.headOutputs(), header, request);
  const ProgressCallbacks progress = progressOnTerminal(a.has("quiet"));
  if (precision == "double") {
    Inputs<double> in64{inputs.steps, 1, inputs.tokens, inputs.features.cast<double>()};
    record(model.cast<double>(), in64, request, writer, progress);
  } else {
    record(model, inputs, request, writer, progress);
  }
  writer.commit();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!a.has("quiet"))
    std::fprintf(stderr, "%swrote %s: %d steps, %zu layer(s), %.1f MB in %.3f s, peak memory %.0f MB\n",
                 isatty(2) ? "\r" : "", out.c_str(), inputs.steps, model.arch.layers.size(),
                 static_cast<double>(std::filesystem::file_size(out)) / 1e6, seconds, peakMemoryMB());
  return 0;
}

}  // namespace lstmscope::cli
