// The trace file (docs/FORMAT.md): written block by block while a recording runs, read by windows.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/analysis/unit_summary.h"
#include "core/common/per_direction.h"
#include "core/engine/record.h"
#include "core/formats/atomic_file.h"
#include "core/formats/hdf5.h"
#include "core/formats/trace_meta.h"

namespace lstmscope {

struct TraceHeader {
  std::string modelName;
  std::string modelPath;  // the model file's absolute path, so that the app can find it (empty: not stored)
  long steps = 0;
  std::vector<int32_t> tokens;         // tokens input
  std::vector<std::string> tokenText;  // each step's text; for features input its label (CSV column or step number)
  Mat<float> features;                 // features input: (D, T), stored as /features (T, D)
  // Text read through a front end's windows (docs/IMPORT.md "Text through a front end"): each step's text is
  // the span of tokens it reads, and spans overlap, so labels computed from the text do not apply per step.
  bool stepsReadTokenWindows = false;
  // A corpus (docs/FORMAT.md "Documents"): document d is steps [offsets[d], offsets[d+1]); D+1 offsets
  // from 0 to steps and D names. Empty: a single text, no /documents group.
  std::vector<int64_t> documentOffsets;
  std::vector<std::string> documentNames;
  bool float16 = false;  // store states and outputs as IEEE half precision (half the size)
  // Which of the request's quantities each layer and direction records (unset: all of them in every one);
  // a trace converted from another tool's files can hold c of one layer and h of another.
  std::function<bool(int layer, int direction, Quantity q)> records;
  std::vector<MetaTrack> meta;  // per-step annotations, each of `steps` values
  // The run's interventions as written (docs/INTERVENTIONS.md), stored as /interventions; empty: none.
  std::vector<std::string> interventions;
};

// Where one rank of an MPI record (docs/SCALING.md) puts what it records: its first step is the trace's step
// stepBase, its first head row (a final-states head: one per document) row rowBase.
struct TraceSlice {
  long stepBase = 0;
  long rowBase = 0;
};

// The header of a trace (docs/FORMAT.md): root attributes, documents, interventions, meta tracks, the
// input (tokens and their text, or features), the match index's attributes and the head's labels. The
// datasets the steps fill must exist already. The root rank of an MPI record writes it after the ranks
// wrote their steps: HDF5 1.10 cannot write variable-length strings through MPI-IO. Errors name `file`.
void writeTraceHeader(hid_t root, const std::string& file, const Architecture& arch, const TraceHeader& header,
                      const RecordRequest& request);

// Writes a trace to a temporary file next to `path`; commit() renames it into place. Destroying an
// uncommitted writer (error, cancel) removes the temporary file and leaves any old trace untouched.
class TraceWriter : public RecordObserver {
 public:
  // Steps per HDF5 chunk of every (T, H) dataset: a window of a few hundred steps reads a few chunks.
  static constexpr long kChunkSteps = 256;

  TraceWriter(const std::string& path, const Architecture& arch, int headOutputs, const TraceHeader& header,
              const RecordRequest& request);
  // One rank's slice of a trace that every rank of an MPI run writes at once (core/parallel/parallel_record.h):
  // `sharedFile` was created by all ranks together, and this constructor too is collective (it creates the
  // steps' datasets, not the header). The blocks it is given are the slice's own steps and rows; errors
  // name `finalPath`. `header` is the whole trace's (its steps and documents), without the input.
  TraceWriter(h5::File sharedFile, const std::string& finalPath, const Architecture& arch, int headOutputs,
              const TraceHeader& header, const RecordRequest& request, TraceSlice slice);
  ~TraceWriter() override;

  void onStates(const StateBlock& block) override;
  void onOutputs(long firstRow, long rows, const float* logits, const float* probs, int outputs) override;
  void commit();
  // A slice's end (collective: every rank calls it): closes the datasets and hands over the unit summaries
  // of the slice's steps, by dataset path, for the root to merge and write.
  std::vector<std::pair<std::string, UnitSummaryBuilder>> finishSlice();
  // A slice whose file cannot be closed: after a rank's write failed, HDF5's ranks take different paths
  // through the collective close and wait for each other for ever. Gives every handle up unclosed; the
  // ranks then stop without closing (ranks::abandonAtExit).
  void abandonSlice();

 private:
  void createStepDatasets(const Architecture& arch, int headOutputs, const TraceHeader& header,
                          const RecordRequest& request);
  InputError writeFailed(const std::exception& e) const;
  void closeHandles();
  // Writes rows of a dataset from float values, as half precision when the trace stores float16.
  void writeValues(hid_t dataset, long firstRow, long rows, long cols, const float* data, long stride);
  // Writes the match index rows of a block: which units are on by defaultOnRule, judged on the values as
  // stored (after rounding to half precision), so that the index agrees with a scan of the values.
  // `stored`: the block's values as stored, row k at stored + k * stride.
  void writeOnIndex(hid_t index, const StateBlock& block, const float* stored, long stride);

  std::optional<AtomicFile> target_;  // a whole trace's; none for a slice
  std::string finalPath_;             // a slice's trace, for messages
  TraceSlice slice_;
  bool eachStepHead_ = true;  // head rows are steps (or documents: a final-states head)
  std::unique_ptr<h5::File> file_;
  std::map<std::tuple<int, int, int>, h5::Handle> states_;   // (layer, dir, quantity) -> dataset
  std::map<std::tuple<int, int, int>, h5::Handle> onIndex_;  // the same -> its match index
  std::vector<uint8_t> indexBuffer_;
  // The same -> where its unit summaries go and what builds them while the blocks pass (written at commit).
  std::map<std::tuple<int, int, int>, std::pair<std::string, UnitSummaryBuilder>> summaries_;
  std::vector<float> storedBuffer_;  // one block's values as stored (rounded to half precision)
  h5::Handle logits_, probs_;
  h5::Handle halfType_;               // valid when the trace stores float16
  std::vector<uint16_t> halfBuffer_;  // one block's values in half precision
};

// Reads windows of a trace without loading the rest.
class TraceReader {
 public:
  explicit TraceReader(const std::string& path);

  const std::string& path() const { return path_; }
  const std::string& modelName() const { return modelName_; }
  // The model file's path when the trace was recorded (root attribute model_path); empty in older traces.
  const std::string& modelPath() const { return modelPath_; }
  bool stepsReadTokenWindows() const { return stepsReadTokenWindows_; }
  long steps() const { return steps_; }
  int layers() const { return static_cast<int>(layerShapes_.size()); }
  int directions(int layer) const { return layerShapes_.at(layer).first; }
  int units(int layer) const { return layerShapes_.at(layer).second; }
  // "fwd" or "bwd": a reverse layer's one direction is "bwd".
  const std::string& directionName(int layer, int direction) const { return directionNames_.at(layer).at(direction); }
  // Every layer's direction names ("fwd", "bwd"), layer by layer.
  const PerDirection<std::string>& directionNames() const { return directionNames_; }
  bool has(int layer, int direction, Quantity q) const;

  // (H, n) column-major: column k is step firstStep + k.
  Mat<float> read(int layer, int direction, Quantity q, long firstStep, long steps) const;
  // (units, n): units [firstUnit, firstUnit + units) only, for work shared out by units (docs/SCALING.md).
  Mat<float> readUnits(int layer, int direction, Quantity q, int firstUnit, int units, long firstStep,
                       long steps) const;
  std::vector<int32_t> tokens() const;
  std::vector<std::string> tokenText() const;
  // Steps [first, first + count) only: a window of a long trace without reading the rest.
  std::vector<int32_t> tokens(long first, long count) const;
  std::vector<std::string> tokenText(long first, long count) const;
  bool hasTokenText() const;
  bool hasOutputs() const;
  // (rows, K) of /outputs/probs: rows is the steps for an each-step head; (0, 0) without outputs.
  std::pair<long, int> outputShape() const;
  // (K, count): the head's probabilities at steps [first, first + count) (an each-step head).
  Mat<float> probs(long first, long count) const;
  // (D, count): the input rows of a features input at steps [first, first + count).
  bool hasFeatures() const;
  Mat<float> features(long first, long count) const;
  // The match index of a quantity (docs/FORMAT.md "Match index"): for steps [first, first + count),
  // (units + 7) / 8 bytes per step, unit u at bit u % 8 of byte u / 8; on by defaultOnRule(q).
  bool hasOnIndex(int layer, int direction, Quantity q) const;
  std::vector<uint8_t> readOnIndex(int layer, int direction, Quantity q, long first, long count) const;
  // The unit summaries `record` stores (docs/FORMAT.md "Unit summaries"); older traces have none.
  bool hasUnitSummaries(int layer, int direction, Quantity q) const;
  UnitSummaries unitSummaries(int layer, int direction, Quantity q) const;
  // The documents of a corpus trace: D+1 offsets (0 … steps) and D names; a single text reads as one
  // unnamed document.
  const std::vector<int64_t>& documentOffsets() const { return documentOffsets_; }
  const std::vector<std::string>& documentNames() const { return documentNames_; }
  // The interventions the run was recorded under (empty: an ordinary recording).
  const std::vector<std::string>& interventions() const { return interventions_; }
  int documents() const { return static_cast<int>(documentOffsets_.size()) - 1; }
  // Meta tracks (docs/FORMAT.md "Meta tracks"), by name.
  std::vector<std::string> metaNames() const { return metaTrackNames(file_.id(), path_); }
  MetaTrack meta(const std::string& name) const { return readMetaTrack(file_.id(), name, steps_, path_); }
  // Steps [first, first + count) of a meta track only (categories and source as in meta()).
  MetaTrack meta(const std::string& name, long first, long count) const {
    return readMetaTrack(file_.id(), name, steps_, path_, h5::RowRange{checkedRow(first), checkedRow(count)});
  }
  Mat<float> logits() const;  // (K, rows)
  Mat<float> probs() const;

 private:
  void readDocuments();
  void checkShapes() const;
  hsize_t checkedRow(long row) const;
  // Rows [first, first + count) of a 2-D dataset as columns (count < 0: to the last row).
  Mat<float> readRowsTransposed(const std::string& path, long first, long count) const;
  std::string path_, modelName_, modelPath_;
  bool stepsReadTokenWindows_ = false;
  long steps_ = 0;
  std::vector<std::pair<int, int>> layerShapes_;  // (directions, units)
  PerDirection<std::string> directionNames_;
  std::vector<int64_t> documentOffsets_;
  std::vector<std::string> documentNames_;
  std::vector<std::string> interventions_;
  h5::File file_;
};

// True if `path` is an HDF5 file whose root says lstmscope_format = "trace".
bool isTraceFile(const std::string& path);
// What a trace holds: model, steps, layers with their units and recorded quantities, outputs.
std::string describeTrace(const TraceReader& trace);

}  // namespace lstmscope
