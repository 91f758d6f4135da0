// Each lstmscope-cli command's options, parsed and checked before anything is opened, read or allocated:
// every usage error (exit 2) is found here, and nothing here touches a model, a text or the output beyond
// asking what kind of file --out names. Kept free of Qt so that the option fuzzer (tests/fuzz, preset
// "fuzz") links it with the core alone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/analysis/match.h"
#include "core/attribution/attribution_report.h"
#include "core/engine/record.h"
#include "core/formats/foreign/import_report.h"
#include "core/probing/linear_probe.h"
#include "core/probing/unit_scores.h"
#include "core/training/trainer.h"

namespace lstmscope {
class TraceReader;
}

namespace lstmscope::cli {

class Args;

// info MODEL [--remember] and convert MODEL --out FILE, with the import options.
struct ModelCommandOptions {
  std::string modelPath, vocabPath, out;  // out: convert only
  ImportChoices importChoices;
  bool remember = false;  // info only
};
ModelCommandOptions parseInfoOptions(const std::vector<std::string>& args);
ModelCommandOptions parseConvertOptions(const std::vector<std::string>& args);

// The input of record and attribute: exactly one of --text, --text-file, --csv, or (record only) a corpus:
// --corpus, or --text-file given several times.
struct InputOptions {
  std::optional<std::string> text;  // --text, else read from textFile or csvFile
  std::string textFile, csvFile, labelColumn;
  std::vector<std::string> textFiles;  // every --text-file, in order (several: a corpus of documents)
  std::string corpus;                  // --corpus PATH
  std::string wavFile;                 // --wav F: audio for a streaming ONNX graph (record only)
  long chunk = 0, hop = 0;             // --chunk N --hop M: samples per call and between calls (0: the graph's)
  bool isCorpus() const { return textFiles.size() > 1 || !corpus.empty(); }
};

// Usage errors: none or several of them, or --label-column without --csv (or a corpus of CSV tables).
// `acceptsAudio`: the command takes --wav (record), which the message for a missing input then names.
InputOptions inputOptionsFrom(const Args& args, bool acceptsAudio = false);

// --meta NAME=SOURCE: SOURCE is builtin:WHAT or a file of labels (docs/CLI.md "Meta tracks").
struct MetaSpec {
  std::string name, builtin, file, regex;  // one of builtin, file and regex
};

struct RecordOptions {
  std::string modelPath, vocabPath, out;
  ImportChoices importChoices;
  InputOptions input;
  bool doublePrecision = false;  // compute in double
  bool float16 = false;          // store the trace in half precision
  long maxSteps = 10'000'000;
  long threads = 0;       // 0: every core
  RecordRequest request;  // a corpus's documents are filled in when the corpus is read
  std::vector<MetaSpec> meta;
  bool quiet = false;
};
RecordOptions parseRecordOptions(const std::vector<std::string>& args);

struct TrainCommandOptions {
  bool languageModel = true;  // --text-file, else a classifier from --labelled
  std::string textFile, labelledFile, out, resumePath;
  TrainOptions train;  // everything but task and resume, checked
  long maxChars = 0;   // 0: the whole text
  long threads = 0;
  bool quiet = false;
};
TrainCommandOptions parseTrainOptions(const std::vector<std::string>& args);

// What a result file is, by the path's ending: .json, .csv, or .png/.svg/.pdf (a figure); anything else is
// a UsageError. Shared by attribute, ablate and patch.
enum class AttributeOutput { Json, Csv, Figure };
AttributeOutput attributeOutputFor(const std::string& path);

struct AttributeOptions {
  std::string modelPath, vocabPath, out;
  ImportChoices importChoices;
  InputOptions input;
  AttributionMethod method = AttributionMethod::Saliency;
  AttributionSettings settings;
  std::optional<long> targetStep;
  std::optional<int> targetOutput;
  std::optional<AttributionTarget> targetUnit;  // its step is the target step
};
AttributeOptions parseAttributeOptions(const std::vector<std::string>& args);

// --quantity L/DIR/Q of the commands that read a trace.
struct QuantityOption {
  int layer = 0;
  std::string direction = "fwd";
  Quantity quantity = Quantity::C;
};

// "0/fwd/c" into `o`; a UsageError quoting `spec` otherwise.
void parseQuantitySpec(const std::string& spec, QuantityOption& o);

// The direction index of `what` in the trace; InputError when the trace has no such layer or direction.
int traceDirection(const TraceReader& trace, const QuantityOption& what);
// InputError "<said> does not exist (layer L has N units)" when `unit` is past the last of what's layer;
// `said` names it as the user gave it, e.g. "--unit 300".
void requireUnitInLayer(const TraceReader& trace, const QuantityOption& what, int unit, const std::string& said);

// match: LSTMVis's match view over a trace (docs/CLI.md "match").
struct MatchOptions {
  std::string tracePath, out;
  QuantityOption what;
  MatchQuery query;
  bool json = true;      // .json, else .csv
  bool useIndex = true;  // read the trace's match index when the query's rule is the index's
};
MatchOptions parseMatchOptions(const std::vector<std::string>& args);

// unit: one unit's dashboard over a trace (docs/CLI.md "unit").
struct UnitOptions {
  std::string tracePath, out;  // out empty: a report on stdout
  QuantityOption what;
  int unit = 0;
  int radius = 10;  // steps of context on each side
};
UnitOptions parseUnitOptions(const std::vector<std::string>& args);

// export-lstmvis: a trace as an LSTMVis project folder (docs/CLI.md "export-lstmvis").
struct ExportOptions {
  std::string tracePath, out;
};
ExportOptions parseExportOptions(const std::vector<std::string>& args);

// probe: which units carry a property of the text, and how well a linear probe reads it (docs/PROBES.md).
enum class ProbeFigure { Ranking, Curve, L1Path };

struct ProbeCommandOptions {
  std::string tracePath;                    // --trace; empty: record the model's run into a temporary trace
  std::vector<std::string> recordArgs;      // --model …: the record command's options for that trace
  std::string label;                        // regex:…, file:…, builtin:NAME or meta:NAME
  std::vector<Quantity> quantities;         // --quantity c (default), i,f or all
  std::vector<int> layers;                  // --layers 0,1; empty: every layer
  std::optional<ProbeKind> probe;           // --probe; unset: by the label (ridge for numbers, else logistic)
  bool noProbe = false;                     // --probe none: the ranking only
  std::optional<RankingMetric> metric;      // unset: by the label (pearson for numbers, else auc)
  int top = 50;                             // ranked units written
  double alpha = 1.0, c = 1.0;              // ridge's (lasso's) penalty, logistic's inverse penalty
  ProbePenalty penalty = ProbePenalty::L2;  // --penalty l1: the lasso, L1 logistic regression
  bool l1Path = true;                       // --no-l1-path: skip the L1 path of the best probe
  uint64_t seed = 1;                        // the control task's random labels
  long threads = 0;
  std::string out;
  AttributeOutput output = AttributeOutput::Json;  // by --out's ending: .json, .csv, or a figure
  ProbeFigure figure = ProbeFigure::Ranking;       // --figure: which figure (figure outputs only)
};
ProbeCommandOptions parseProbeOptions(const std::vector<std::string>& args);

// The names core accepts, as "a, b or c" (last = " or ") or "a | b | c": shared by the messages and help.
std::string attributionMethodNames(const std::string& separator, const std::string& last);
std::string quadratureRuleNames(const std::string& separator, const std::string& last);
std::string baselineNames(const std::string& separator, const std::string& last);

// Refuses an output path that names one of the inputs (writing it would destroy that input), or that
// exists and is not a regular file (a directory, a device, a FIFO, a link to one): usage errors.
void checkOutputPath(const std::string& out, const std::vector<std::string>& inputs);
// --threads N: 0..4096, 0 meaning every core.
long parseThreads(long threads);

}  // namespace lstmscope::cli
