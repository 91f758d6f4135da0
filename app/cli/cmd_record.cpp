#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/cli/audio_input.h"
#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "app/cli/corpus_input.h"
#include "app/cli/meta_tracks.h"
#include "app/cli/table_input.h"
#include "core/common/error.h"
#include "core/engine/record.h"
#include "core/formats/model_loader.h"
#include "core/formats/sequence_input.h"
#include "core/formats/trace_file.h"
#include "core/parallel/parallel_record.h"
#include "core/parallel/ranks.h"
#include "core/probing/label_sources.h"

namespace lstmscope::cli {

const char* const kRecordHelp =
    "usage: lstmscope-cli record --model MODEL [--vocab V] --out TRACE.h5\n"
    "                            (--text STR | --text-file F | --csv F [--label-column C] | --corpus PATH |\n"
    "                             --text-file F1 --text-file F2 ... | --wav F [--chunk N] [--hop M])\n"
    "                            [--quantities i,f,g,o,c,h] [--preactivations] [--no-outputs]\n"
    "                            [--precision float|double|float16] [--max-steps N] [--batch N] [--threads N] "
    "[--quiet]\n"
    "                            [--meta NAME=builtin:WHAT | NAME=regex:PATTERN | NAME=FILE ...]\n"
    "                            [import options: see lstmscope-cli info --help]\n"
    "\n"
    "Runs MODEL over the input and writes a trace (docs/FORMAT.md): per layer, direction and step the gate\n"
    "activations i f g o, the cell state c and the hidden output h, and the head's logits and probabilities.\n"
    "  --csv F           a model of numeric features reads a CSV table: one row per step, one column per\n"
    "                    feature, optional header; columns that are not numbers (a date) label the steps\n"
    "  --label-column C  the column whose values go to /token_text (default: step numbers)\n"
    "  --wav F           a streaming ONNX graph (an LSTM carrying state from call to call, as voice-activity\n"
    "                    models are) reads a mono WAV file: the graph runs chunk by chunk, the LSTM is recorded\n"
    "                    over the chunks (steps labelled with their time), each other graph output becomes a\n"
    "                    meta track; --chunk N samples per call (default: the graph's), --hop M samples\n"
    "                    between calls (default N; fewer: each call rereads the previous one's tail as context)\n"
    "  --corpus PATH     a corpus of documents, each recorded from a zero state, their boundaries kept in the\n"
    "                    trace (/documents): a folder (every file not starting with '.', in name order; CSV\n"
    "                    tables for a model of features), a .jsonl file (one {\"text\": ..., \"name\": ...} per\n"
    "                    line) or a .txt file (one document). --text-file given several times: one document each\n"
    "  --meta NAME=SRC   a meta track, /meta/NAME: builtin:bracket-depth, inside-quotes, line-position,\n"
    "                    indentation or document; regex:PATTERN, 1 at the tokens a match overlaps (RE2\n"
    "                    syntax, e.g. regex:'\"[^\"]*\"' or regex:'(?i)\\bif\\b'); or a file of labels, one line\n"
    "                    per token or per document (numbers, or categories); repeat for several\n"
    "  --quantities      comma-separated subset to record (default all six)\n"
    "  --preactivations  also record the gate pre-activations pre_i pre_f pre_g pre_o\n"
    "  --no-outputs      do not record the head's outputs\n"
    "  --precision       compute in float (default) or double, stored as float32; or float16: computed in float,\n"
    "                    stored in half precision (half the size; about 3 significant digits)\n"
    "  --max-steps       refuse inputs longer than this many tokens, a corpus's documents together (default\n"
    "                    10000000)\n"
    "  --batch N         a corpus: documents run together (default 16). A single text: cut it into N equal\n"
    "                    segments run as one batch, each from a zero state (default 1: one exact run)\n"
    "  --threads         worker threads (default: all cores)\n"
    "The trace is written to a temporary file as the run progresses and renamed when complete.\n"
    "Under mpirun (the MPI build, docs/SCALING.md) the ranks share a corpus's documents and write one trace.\n";

namespace {

const std::string kLimitAdvice = "raise it with --max-steps";

double peakMemoryMB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Progress goes to a terminal only; logs get the summary line.
ProgressCallbacks progressOnTerminal(bool quiet, const char* what = "recording", const char* units = "steps") {
  if (quiet || !isatty(2)) return {};
  return {{}, [what, units](long done, long total) {
            if (total > 0) std::fprintf(stderr, "\r%s: %ld / %ld %s", what, done, total, units);
          }};
}

void recordInOneProcess(const Model& model, const Inputs<float>& inputs, const RecordRequest& request,
                        const TraceHeader& header, const RecordOptions& o, const ProgressCallbacks& progress) {
  TraceWriter writer(o.out, model.arch, model.headOutputs(), header, request);
  if (o.doublePrecision)
    record(model.cast<double>(), Inputs<double>{inputs.steps, 1, inputs.tokens, inputs.features.cast<double>()},
           request, writer, progress);
  else
    record(model, inputs, request, writer, progress);
  writer.commit();
}

}  // namespace

// Everything before the recording: options, model, input, header. Under mpirun every rank does it, and the
// ranks agree on the outcome before going on (a rank that failed alone would leave the others waiting).
struct RecordSetup {
  RecordOptions options;
  Model model;
  TraceHeader header;
  Inputs<float> inputs;
  RecordRequest request;
  std::string audioSummary;
};

RecordSetup prepareRecording(const std::vector<std::string>& args) {
  RecordSetup s;
  s.options = parseRecordOptions(args);
  const RecordOptions& o = s.options;
  applyThreads(o.threads);
  if (ranks::size() > 1 && !o.input.isCorpus())
    throw UsageError(
        "under mpirun, record shares the documents of a corpus among the ranks: give --corpus PATH "
        "or several --text-file (docs/SCALING.md)");
  RecordRequest& request = s.request;
  request = o.request;
  s.model = importForCommand(o.modelPath, o.vocabPath, o.importChoices);
  const Model& model = s.model;
  TraceHeader& header = s.header;
  header.modelName = model.arch.name;
  std::error_code absoluteError;  // an unresolvable path is simply not stored: the app then looks beside the trace
  header.modelPath = std::filesystem::absolute(o.modelPath, absoluteError).lexically_normal().string();
  Inputs<float>& inputs = s.inputs;
  std::vector<MetaTrack> graphOutputs;
  if (!o.input.wavFile.empty()) {
    AudioInput audio = readAudioInput(o.modelPath, model, o.input, o.maxSteps, kLimitAdvice,
                                      progressOnTerminal(o.quiet, "running the graph", "calls"));
    inputs = std::move(audio.inputs);
    header.features = inputs.features;
    header.tokenText = std::move(audio.stepLabels);
    graphOutputs = std::move(audio.outputs);
    s.audioSummary = std::move(audio.summary);
  } else if (o.input.isCorpus()) {
    CorpusInput corpus = readCorpus(model.arch, o.input, o.maxSteps, kLimitAdvice);
    inputs = std::move(corpus.text.inputs);
    header.tokens = inputs.tokens;
    header.features = inputs.features;
    header.tokenText = std::move(corpus.text.surface);
    header.documentOffsets = corpus.offsets;
    header.documentNames = std::move(corpus.names);
    request.documents.assign(corpus.offsets.begin(), corpus.offsets.end());
    for (const std::string& why : corpus.noStep)  // said even with --quiet: the trace holds less than asked
      if (ranks::isRoot()) std::fprintf(stderr, "note: %s; recorded as a document of no step\n", why.c_str());
  } else if (!o.input.csvFile.empty()) {
    EncodedText table = readTableInput(model.arch, o.input.csvFile, o.input.labelColumn, o.maxSteps, kLimitAdvice);
    inputs = std::move(table.inputs);
    header.features = inputs.features;
    header.tokenText = std::move(table.surface);
  } else {
    EncodedText enc = o.input.text ? encodeText(model.arch, *o.input.text, "--text", o.maxSteps, kLimitAdvice)
                                   : encodeTextFile(model.arch, o.input.textFile, o.maxSteps, kLimitAdvice);
    inputs = std::move(enc.inputs);
    header.tokens = inputs.tokens;
    header.features = inputs.features;  // a model whose front end reads text runs on features
    header.tokenText = std::move(enc.surface);
  }
  header.steps = inputs.steps;
  header.float16 = o.float16;
  header.stepsReadTokenWindows = model.arch.stepsReadTokenWindows();
  for (const MetaSpec& spec : o.meta)
    requireTokenPerStep(
        spec.builtin.empty() ? (spec.regex.empty() ? "file:" : "regex:" + spec.regex) : "builtin:" + spec.builtin,
        header.stepsReadTokenWindows, "--meta " + spec.name);
  // Words lose the spaces between them; characters keep every one.
  const bool characters = model.arch.readsText() && model.arch.vocab.level() == TokenLevel::Char;
  header.meta =
      buildMetaTracks(o.meta, header.tokenText,
                      header.documentOffsets.empty() ? std::vector<int64_t>{0, header.steps} : header.documentOffsets,
                      characters ? "" : " ");
  header.meta.insert(header.meta.end(), graphOutputs.begin(), graphOutputs.end());
  return s;
}

int runRecord(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kRecordHelp)) return 0;
  const auto start = std::chrono::steady_clock::now();
  RecordSetup s;
  ranks::agreeOn([&] { s = prepareRecording(args); });
  const RecordOptions& o = s.options;
  const Model& model = s.model;
  const TraceHeader& header = s.header;
  const Inputs<float>& inputs = s.inputs;
  const RecordRequest& request = s.request;
  const bool shared = ranks::size() > 1;  // mpirun -np N: the ranks share the documents
  const ProgressCallbacks progress = progressOnTerminal(o.quiet || !ranks::isRoot());
  if (shared) {
    if (o.doublePrecision)
      recordAcrossRanks(model.cast<double>(), model.arch, model.headOutputs(),
                        Inputs<double>{inputs.steps, 1, inputs.tokens, inputs.features.cast<double>()}, request, header,
                        o.out, progress);
    else
      recordAcrossRanks<float>(model, model.arch, model.headOutputs(), inputs, request, header, o.out, progress);
  } else {
    recordInOneProcess(model, inputs, request, header, o, progress);
  }
  if (!ranks::isRoot()) return 0;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.quiet)
    std::fprintf(stderr, "%swrote %s: %d steps%s, %zu layer(s), %.1f MB in %.3f s, peak memory %.0f MB\n",
                 isatty(2) ? "\r" : "", o.out.c_str(), inputs.steps,
                 header.documentNames.empty()
                     ? ""
                     : (" in " + std::to_string(header.documentNames.size()) + " documents").c_str(),
                 model.arch.layers.size(), static_cast<double>(std::filesystem::file_size(o.out)) / 1e6, seconds,
                 peakMemoryMB());
  if (!o.quiet && !s.audioSummary.empty()) std::fprintf(stderr, "audio: %s\n", s.audioSummary.c_str());
  return 0;
}

}  // namespace lstmscope::cli
