// The trace writer (core/formats/trace_file.h, docs/FORMAT.md): the header, then the steps' datasets block by
// block as a recording runs; or, in an MPI run (docs/SCALING.md), one rank's steps of a shared file.
#include <algorithm>
#include <optional>
#include <stdexcept>

#include "core/analysis/on_rule.h"
#include "core/common/error.h"
#include "core/formats/hdf5_storage_types.h"
#include "core/formats/trace_file.h"
#include "core/formats/trace_paths.h"
#include "core/formats/trace_summaries.h"

namespace lstmscope {
namespace {

constexpr hsize_t kChunkSteps = TraceWriter::kChunkSteps;
constexpr hsize_t kIndexSteps = 16384;  // steps per chunk of the match index: 1 MB for 512 units

// A corpus's lanes write into as many chunks of each dataset at once: room for two chunks per lane, at
// most 64 MB per dataset (a single text writes whole chunks in order and needs no more than the default).
size_t laneCacheBytes(const TraceHeader& header, const RecordRequest& request, int units) {
  if (header.documentOffsets.empty()) return 0;
  const size_t chunk = static_cast<size_t>(kChunkSteps) * static_cast<size_t>(units) * (header.float16 ? 2 : 4);
  return std::min<size_t>(size_t(64) << 20, 2 * chunk * static_cast<size_t>(std::max(1, request.documentBatch)));
}

// D+1 offsets rising from 0 to `steps`, and D names. A writer given anything else has a bug.
void checkDocuments(const TraceHeader& h) {
  const auto& o = h.documentOffsets;
  if (o.empty()) return;
  if (o.size() < 2 || o.front() != 0 || o.back() != h.steps || !std::is_sorted(o.begin(), o.end()) ||
      h.documentNames.size() + 1 != o.size())
    throw std::invalid_argument("TraceWriter: document offsets must rise from 0 to the steps, one name each");
}

bool recordsQuantity(const TraceHeader& header, size_t layer, int direction, Quantity q) {
  return !header.records || header.records(static_cast<int>(layer), direction, q);
}

bool hasOnIndex(const TraceHeader& header, size_t layer, int direction, Quantity q) {
  return !isPreactivation(q) && recordsQuantity(header, layer, direction, q);
}

}  // namespace

void writeTraceHeader(hid_t root, const std::string& file, const Architecture& arch, const TraceHeader& header,
                      const RecordRequest& request) {
  checkDocuments(header);
  if (!h5::hasAttr(root, "lstmscope_format")) h5::writeStringAttr(root, "lstmscope_format", "trace");
  h5::writeIntAttr(root, "lstmscope_version", 1);
  h5::writeStringAttr(root, "model", header.modelName);
  if (!header.modelPath.empty()) h5::writeStringAttr(root, "model_path", header.modelPath);
  h5::writeIntAttr(root, "steps", header.steps);
  if (header.stepsReadTokenWindows) h5::writeIntAttr(root, "steps_read_token_windows", 1);
  const hsize_t T = static_cast<hsize_t>(header.steps);
  if (!header.documentOffsets.empty()) {
    h5::writeInt64s(root, "documents/offsets", header.documentOffsets);
    h5::writeStrings(root, "documents/names", header.documentNames);
  }
  if (!header.interventions.empty()) h5::writeStrings(root, "interventions", header.interventions);
  for (const MetaTrack& track : header.meta) {
    if (!validMetaName(track.name) || static_cast<long>(track.values.size()) != header.steps)
      throw std::invalid_argument("TraceWriter: a meta track needs a plain name and one value per step");
    writeMetaTrack(root, track);
  }
  if (arch.inputKind == InputKind::Tokens) {
    h5::writeInts(root, "tokens", header.tokens, kChunkSteps);
    h5::writeStrings(root, "token_text", header.tokenText, kChunkSteps);
  } else {
    h5::writeFloats(root, "features", {T, static_cast<hsize_t>(header.features.rows())}, header.features.data(),
                    kChunkSteps);
    if (!header.tokenText.empty()) h5::writeStrings(root, "token_text", header.tokenText, kChunkSteps);  // labels
  }
  for (size_t l = 0; l < arch.layers.size(); ++l)
    for (int d = 0; d < arch.layers[l].directions(); ++d)
      for (Quantity q : request.quantities) {
        if (!hasOnIndex(header, l, d, q)) continue;
        h5::Handle index =
            h5::openDataset(root, indexPath(static_cast<int>(l), directionName(arch.layers[l], d), q), file);
        const OnRule rule = defaultOnRule(q);
        h5::writeFloatAttr(index.get(), "threshold", rule.threshold);
        h5::writeStringAttr(index.get(), "transform", rule.tanh ? "tanh" : "raw");
      }
  if (request.outputs && arch.head && !arch.head->labels.empty()) {
    h5::Handle outputs = h5::openGroup(root, "outputs", file);
    h5::writeStringListAttr(outputs.get(), "labels", arch.head->labels);
  }
}

TraceWriter::TraceWriter(const std::string& path, const Architecture& arch, int headOutputs, const TraceHeader& header,
                         const RecordRequest& request) {
  target_.emplace(path);
  try {
    file_ = std::make_unique<h5::File>(h5::File::create(target_->tempPath()));
    // First of all, so that its name and value lie in the file's first few kilobytes, where a desktop's
    // file-type rule finds them (docs/PACKAGING.md "Desktop integration").
    h5::writeStringAttr(file_->id(), "lstmscope_format", "trace");
    createStepDatasets(arch, headOutputs, header, request);
    writeTraceHeader(file_->id(), target_->tempPath(), arch, header, request);
  } catch (const InputError& e) {
    closeHandles();
    throw target_->writeFailed(e);
  }
}

TraceWriter::TraceWriter(h5::File sharedFile, const std::string& finalPath, const Architecture& arch, int headOutputs,
                         const TraceHeader& header, const RecordRequest& request, TraceSlice slice)
    : finalPath_(finalPath), slice_(slice) {
  file_ = std::make_unique<h5::File>(std::move(sharedFile));
  try {
    createStepDatasets(arch, headOutputs, header, request);
  } catch (const InputError& e) {
    closeHandles();
    throw writeFailed(e);
  }
}

InputError TraceWriter::writeFailed(const std::exception& e) const {
  return target_ ? target_->writeFailed(e) : AtomicFile::writeFailed(finalPath_, file_ ? file_->path() : "", e);
}

// The datasets the steps fill (created alike on every rank of an MPI run: HDF5 creates datasets collectively),
// and the unit summaries' builders.
void TraceWriter::createStepDatasets(const Architecture& arch, int headOutputs, const TraceHeader& header,
                                     const RecordRequest& request) {
  checkDocuments(header);
  const hid_t root = file_->id();
  const hsize_t T = static_cast<hsize_t>(header.steps);
  if (header.float16) halfType_ = h5::ieeeHalfType();
  const hid_t valueType = header.float16 ? halfType_.get() : H5T_IEEE_F32LE;
  for (size_t l = 0; l < arch.layers.size(); ++l)
    for (int d = 0; d < arch.layers[l].directions(); ++d)
      for (Quantity q : request.quantities)
        if (recordsQuantity(header, l, d, q))
          states_[{static_cast<int>(l), d, static_cast<int>(q)}] =
              h5::createFloatMatrix(root, statePath(static_cast<int>(l), directionName(arch.layers[l], d), q), T,
                                    static_cast<hsize_t>(arch.layers[l].hidden), kChunkSteps, valueType,
                                    laneCacheBytes(header, request, arch.layers[l].hidden));
  for (size_t l = 0; l < arch.layers.size(); ++l)
    for (int d = 0; d < arch.layers[l].directions(); ++d)
      for (Quantity q : request.quantities) {
        if (!hasOnIndex(header, l, d, q)) continue;
        const auto bytes = static_cast<hsize_t>((arch.layers[l].hidden + 7) / 8);
        onIndex_[{static_cast<int>(l), d, static_cast<int>(q)}] =
            h5::createFloatMatrix(root, indexPath(static_cast<int>(l), directionName(arch.layers[l], d), q), T, bytes,
                                  kIndexSteps, H5T_STD_U8LE, laneCacheBytes(header, request, arch.layers[l].hidden));
        summaries_.emplace(
            std::piecewise_construct, std::forward_as_tuple(static_cast<int>(l), d, static_cast<int>(q)),
            std::forward_as_tuple(unitSummaryPath(static_cast<int>(l), directionName(arch.layers[l], d), q),
                                  UnitSummaryBuilder(arch.layers[l].hidden, header.documentOffsets.empty()
                                                                                ? std::vector<int64_t>{0, header.steps}
                                                                                : header.documentOffsets)));
      }
  if (request.outputs && arch.head) {
    // A final-states head gives one row per document (one for a single text).
    eachStepHead_ = arch.head->reads == HeadReads::EachStep;
    const hsize_t rows = eachStepHead_ ? T : header.documentOffsets.empty() ? 1 : header.documentOffsets.size() - 1;
    const auto K = static_cast<hsize_t>(headOutputs);
    logits_ = h5::createFloatMatrix(root, "outputs/logits", rows, K, kChunkSteps, valueType);
    probs_ = h5::createFloatMatrix(root, "outputs/probs", rows, K, kChunkSteps, valueType);
  }
}

TraceWriter::~TraceWriter() {
  closeHandles();  // before AtomicFile removes the temporary file
}

void TraceWriter::closeHandles() {
  states_.clear();
  onIndex_.clear();
  logits_.reset();
  probs_.reset();
  halfType_.reset();
  file_.reset();
}

void TraceWriter::writeOnIndex(hid_t index, const StateBlock& b, const float* stored, long stride) {
  const std::optional<float> lowestOn = lowestOnValue(defaultOnRule(b.quantity));
  const long rowBytes = (b.units + 7) / 8;
  indexBuffer_.assign(static_cast<size_t>(b.steps * rowBytes), 0);
  if (lowestOn)
    for (long k = 0; k < b.steps; ++k)
      for (int u = 0; u < b.units; ++u)
        if (stored[k * stride + u] >= *lowestOn)
          indexBuffer_[static_cast<size_t>(k * rowBytes + u / 8)] |= uint8_t(1) << (u % 8);
  h5::writeRowsAs(index, b.firstStep, b.steps, rowBytes, indexBuffer_.data(), H5T_NATIVE_UINT8);
}

void TraceWriter::writeValues(hid_t dataset, long firstRow, long rows, long cols, const float* data, long stride) {
  if (!halfType_.valid()) return h5::writeRows(dataset, firstRow, rows, cols, data, stride);
  halfBuffer_.resize(static_cast<size_t>(rows * cols));
  for (long r = 0; r < rows; ++r) h5::floatsToHalf(data + r * stride, cols, halfBuffer_.data() + r * cols);
  h5::writeRowsAs(dataset, firstRow, rows, cols, halfBuffer_.data(), halfType_.get());
}

void TraceWriter::onStates(const StateBlock& block) {
  StateBlock b = block;
  b.firstStep += slice_.stepBase;
  const auto it = states_.find({b.layer, b.direction, static_cast<int>(b.quantity)});
  if (it == states_.end()) return;
  try {
    writeValues(it->second.get(), b.firstStep, b.steps, b.units, b.data, b.stride);
    const auto index = onIndex_.find({b.layer, b.direction, static_cast<int>(b.quantity)});
    if (index == onIndex_.end()) return;
    // The index and the summaries judge the values as stored, so that they agree with what a reader sees.
    const float* stored = b.data;
    long stride = b.stride;
    if (halfType_.valid()) {
      // writeValues has just rounded the block into halfBuffer_ (rows of b.units): widen that back
      // rather than round every value a second time.
      storedBuffer_.resize(static_cast<size_t>(b.steps * b.units));
      h5::halfToFloats(halfBuffer_.data(), storedBuffer_.size(), storedBuffer_.data());
      stored = storedBuffer_.data(), stride = b.units;
    }
    writeOnIndex(index->second.get(), b, stored, stride);
    summaries_.at({b.layer, b.direction, static_cast<int>(b.quantity)})
        .second.add(b.firstStep, b.steps, stored, stride);
  } catch (const InputError& e) {
    throw writeFailed(e);
  }
}

void TraceWriter::onOutputs(long firstRow, long rows, const float* logits, const float* probs, int outputs) {
  if (!logits_.valid()) return;
  try {
    const long row = firstRow + (eachStepHead_ ? slice_.stepBase : slice_.rowBase);
    writeValues(logits_.get(), row, rows, outputs, logits, outputs);
    writeValues(probs_.get(), row, rows, outputs, probs, outputs);
  } catch (const InputError& e) {
    throw writeFailed(e);
  }
}

void TraceWriter::commit() {
  if (!target_) throw std::logic_error("TraceWriter::commit: a slice is finished with finishSlice()");
  try {
    for (const auto& [key, summary] : summaries_)
      writeUnitSummaries(file_->id(), summary.first, summary.second.finish());
    file_->flush();
  } catch (const InputError& e) {
    throw writeFailed(e);
  }
  closeHandles();
  target_->commit();
}

void TraceWriter::abandonSlice() {
  for (auto& [key, handle] : states_) handle.release();
  for (auto& [key, handle] : onIndex_) handle.release();
  logits_.release(), probs_.release(), halfType_.release();
  if (file_) file_->abandon();
  closeHandles();
}

std::vector<std::pair<std::string, UnitSummaryBuilder>> TraceWriter::finishSlice() {
  std::vector<std::pair<std::string, UnitSummaryBuilder>> out;
  for (auto& [key, summary] : summaries_) out.push_back(std::move(summary));
  summaries_.clear();
  closeHandles();
  return out;
}

}  // namespace lstmscope
