#include "core/formats/trace_file.h"

#include <Eigen/Core>
#include <algorithm>
#include <optional>
#include <sstream>

#include "core/analysis/on_rule.h"
#include "core/common/error.h"
#include "core/formats/hdf5_storage_types.h"
#include "core/formats/trace_paths.h"
#include "core/formats/trace_summaries.h"

namespace lstmscope {

TraceReader::TraceReader(const std::string& path) : path_(path), file_(h5::File::openReadOnly(path)) {
  const hid_t root = file_.id();
  if (h5::readStringAttr(root, "lstmscope_format").value_or("") != "trace")
    throw InputError(path, "not an LSTMScope trace file (root attribute lstmscope_format is not 'trace')");
  modelName_ = h5::readStringAttr(root, "model").value_or("");
  modelPath_ = h5::readStringAttr(root, "model_path").value_or("");
  stepsReadTokenWindows_ = h5::readIntAttr(root, "steps_read_token_windows").value_or(0) != 0;
  std::optional<long> steps;  // every recorded quantity must agree with the first one on T, and per layer on H
  if (const auto declared = h5::readIntAttr(root, "steps")) steps = *declared;
  for (int l = 0; h5::exists(root, "layers/" + std::to_string(l)); ++l) {
    std::optional<int> units;
    std::vector<std::string> names;  // a reverse layer has bwd alone
    for (const char* name : {"fwd", "bwd"}) {
      const std::string dp = "layers/" + std::to_string(l) + "/" + name;
      if (!h5::exists(root, dp)) continue;
      names.push_back(name);
      for (Quantity q : {Quantity::H, Quantity::C, Quantity::I, Quantity::F, Quantity::G, Quantity::O}) {
        const std::string qp = dp + "/" + quantityName(q);
        if (!h5::exists(root, qp)) continue;
        h5::Handle ds = h5::openDataset(root, qp, path);
        const auto dims = h5::datasetDims(ds.get());
        if (dims.size() != 2) throw InputError(path, qp + " must be 2-D (T, H)");
        (void)h5::checkedCount(ds.get(), dims, sizeof(uint16_t), qp, path);  // a shape the file can back
        if (!steps) steps = static_cast<long>(dims[0]);
        if (!units) units = static_cast<int>(dims[1]);
        if (static_cast<long>(dims[0]) != *steps || static_cast<int>(dims[1]) != *units)
          throw InputError(path, qp + " has shape (" + std::to_string(dims[0]) + ", " + std::to_string(dims[1]) +
                                     ") but the trace has " + std::to_string(*steps) + " steps of " +
                                     std::to_string(*units) + " units in this layer");
      }
    }
    if (names.empty()) throw InputError(path, "layers/" + std::to_string(l) + " has neither fwd nor bwd");
    if (!units) throw InputError(path, "layers/" + std::to_string(l) + " records no quantity (i, f, g, o, c or h)");
    layerShapes_.push_back({static_cast<int>(names.size()), *units});
    directionNames_.push_back(std::move(names));
  }
  // A file that only claims to be a trace (the attribute alone, or a model relabelled) used to be shown as
  // an empty trace.
  if (layerShapes_.empty()) throw InputError(path, "is marked as a trace but records no layer (no layers/0)");
  if (!steps || *steps < 1) throw InputError(path, "is marked as a trace but records no step");
  steps_ = *steps;
  readDocuments();
  if (h5::exists(file_.id(), "interventions")) interventions_ = h5::readStrings(file_.id(), "interventions", path_);
  checkShapes();
}

// Everything a window, a match or an export will read has the trace's length, checked from the shapes
// alone (no data is read): a damaged trace is refused when it is opened, not when a view reaches the gap.
void TraceReader::checkShapes() const {
  const hid_t root = file_.id();
  if (const auto version = h5::readIntAttr(root, "lstmscope_version"); version && *version != 1)
    throw InputError(path_, "is a trace of format version " + std::to_string(*version) +
                                ", which this LSTMScope does not read (it reads version 1)");
  const auto expectRows = [&](const std::string& p, long rows, std::optional<hsize_t> cols, const std::string& what) {
    if (!h5::exists(root, p)) return;
    h5::Handle ds = h5::openDataset(root, p, path_);
    const auto dims = h5::datasetDims(ds.get());
    if (dims.empty() || static_cast<long>(dims[0]) != rows || (cols && (dims.size() != 2 || dims[1] != *cols)))
      throw InputError(path_, p + " has " +
                                  (dims.empty() ? std::string("no rows") : std::to_string(dims[0]) + " rows") +
                                  (cols && dims.size() == 2 ? " of " + std::to_string(dims[1]) : std::string()) +
                                  " but must have " + what);
  };
  const std::string perStep = std::to_string(steps_) + " (one per step)";
  expectRows("token_text", steps_, std::nullopt, perStep);
  expectRows("tokens", steps_, std::nullopt, perStep);
  expectRows("features", steps_, std::nullopt, perStep);
  if (hasOutputs()) {
    h5::Handle ds = h5::openDataset(root, "outputs/logits", path_);
    const auto dims = h5::datasetDims(ds.get());
    // An each-step head has a row per step, a final-states head one per document (one for a single text).
    const long rows = dims.size() == 2 && static_cast<long>(dims[0]) != steps_ ? documents() : steps_;
    const std::string what = std::to_string(rows) + (rows == steps_ ? " (one per step)" : " (one per document)");
    expectRows("outputs/logits", rows, std::nullopt, what);
    expectRows("outputs/probs", rows, dims.size() == 2 ? std::optional<hsize_t>(dims[1]) : std::nullopt, what);
  }
  for (int l = 0; l < layers(); ++l)
    for (int d = 0; d < directions(l); ++d)
      for (Quantity q : {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H})
        expectRows(indexPath(l, directionName(l, d), q), steps_, static_cast<hsize_t>((units(l) + 7) / 8),
                   perStep + " of " + std::to_string((units(l) + 7) / 8) + " bytes");
}

void TraceReader::readDocuments() {
  const hid_t root = file_.id();
  if (!h5::exists(root, "documents")) {
    documentOffsets_ = {0, steps_};
    documentNames_ = {""};
    return;
  }
  documentOffsets_ = h5::readInt64s(root, "documents/offsets", path_);
  const auto& o = documentOffsets_;
  if (o.size() < 2 || o.front() != 0 || o.back() != steps_)
    throw InputError(path_, "documents/offsets must run from 0 to the trace's " + std::to_string(steps_) +
                                " steps, one more entry than there are documents");
  for (size_t d = 0; d + 1 < o.size(); ++d)
    if (o[d + 1] < o[d])
      throw InputError(path_, "documents/offsets are out of order: document " + std::to_string(d + 1) +
                                  " would start at step " + std::to_string(o[d]) + " and end at " +
                                  std::to_string(o[d + 1]));
  documentNames_ = h5::readStrings(root, "documents/names", path_);
  if (documentNames_.size() + 1 != o.size())
    throw InputError(path_, "documents/names has " + std::to_string(documentNames_.size()) + " names for " +
                                std::to_string(o.size() - 1) + " documents");
}

bool TraceReader::hasOnIndex(int layer, int direction, Quantity q) const {
  return h5::exists(file_.id(), indexPath(layer, directionName(layer, direction), q));
}

std::vector<uint8_t> TraceReader::readOnIndex(int layer, int direction, Quantity q, long first, long count) const {
  const std::string p = indexPath(layer, directionName(layer, direction), q);
  h5::Handle ds = h5::openDataset(file_.id(), p, path_);
  const auto dims = h5::datasetDims(ds.get());
  const hsize_t rowBytes = static_cast<hsize_t>((units(layer) + 7) / 8);
  if (dims.size() != 2 || static_cast<long>(dims[0]) != steps_ || dims[1] != rowBytes)
    throw InputError(path_, p + " must be (" + std::to_string(steps_) + ", " + std::to_string(rowBytes) + ") bytes");
  const OnRule rule = defaultOnRule(q);
  h5::Handle type(H5Dget_type(ds.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER || H5Tget_size(type.get()) != 1 ||
      h5::readFloatAttr(ds.get(), "threshold").value_or(-1) != rule.threshold ||
      h5::readStringAttr(ds.get(), "transform").value_or("") != (rule.tanh ? "tanh" : "raw"))
    throw InputError(
        path_, p + " is not a match index of this version (bytes, threshold " + std::to_string(rule.threshold) + ")");
  std::vector<uint8_t> out(static_cast<size_t>(count) * rowBytes);
  h5::readRowsAs(ds.get(), first, count, rowBytes, out.data(), H5T_NATIVE_UINT8, path_);
  return out;
}

bool TraceReader::hasUnitSummaries(int layer, int direction, Quantity q) const {
  return h5::exists(file_.id(), unitSummaryPath(layer, directionName(layer, direction), q));
}

UnitSummaries TraceReader::unitSummaries(int layer, int direction, Quantity q) const {
  return readUnitSummaries(file_.id(), unitSummaryPath(layer, directionName(layer, direction), q), units(layer), steps_,
                           path_);
}

bool TraceReader::has(int layer, int direction, Quantity q) const {
  return h5::exists(file_.id(), statePath(layer, directionName(layer, direction), q));
}

Mat<float> TraceReader::read(int layer, int direction, Quantity q, long firstStep, long steps) const {
  const std::string p = statePath(layer, directionName(layer, direction), q);
  h5::Handle ds = h5::openDataset(file_.id(), p, path_);
  const auto dims = h5::datasetDims(ds.get());
  if (dims.size() != 2) throw InputError(path_, p + " is not 2-D");
  Mat<float> out(static_cast<long>(dims[1]), steps);
  h5::readRows(ds.get(), firstStep, steps, dims[1], out.data(), path_);
  return out;
}

Mat<float> TraceReader::readUnits(int layer, int direction, Quantity q, int firstUnit, int units, long firstStep,
                                  long steps) const {
  const std::string p = statePath(layer, directionName(layer, direction), q);
  h5::Handle ds = h5::openDataset(file_.id(), p, path_);
  if (firstUnit < 0 || units < 0 || firstStep < 0 || steps < 0)
    throw InputError(path_, "a negative unit or step was asked for in " + p);
  Mat<float> out(units, steps);
  h5::readBlock(ds.get(), static_cast<hsize_t>(firstStep), static_cast<hsize_t>(steps), static_cast<hsize_t>(firstUnit),
                static_cast<hsize_t>(units), out.data(), path_);
  return out;
}

std::vector<int32_t> TraceReader::tokens() const {
  return h5::readInts(file_.id(), "tokens", path_);
}
std::vector<std::string> TraceReader::tokenText() const {
  return h5::readStrings(file_.id(), "token_text", path_);
}
std::vector<int32_t> TraceReader::tokens(long first, long count) const {
  return h5::readInts(file_.id(), "tokens", path_, h5::RowRange{checkedRow(first), checkedRow(count)});
}
std::vector<std::string> TraceReader::tokenText(long first, long count) const {
  return h5::readStrings(file_.id(), "token_text", path_, h5::RowRange{checkedRow(first), checkedRow(count)});
}
bool TraceReader::hasTokenText() const {
  return h5::exists(file_.id(), "token_text");
}
hsize_t TraceReader::checkedRow(long row) const {
  if (row < 0) throw InputError(path_, "a negative step was asked for");
  return static_cast<hsize_t>(row);
}

bool TraceReader::hasOutputs() const {
  return h5::exists(file_.id(), "outputs/logits");
}

std::pair<long, int> TraceReader::outputShape() const {
  if (!hasOutputs()) return {0, 0};
  h5::Handle ds = h5::openDataset(file_.id(), "outputs/probs", path_);
  const auto dims = h5::datasetDims(ds.get());
  if (dims.size() != 2) throw InputError(path_, "outputs/probs is not 2-D");
  return {static_cast<long>(dims[0]), static_cast<int>(dims[1])};
}

Mat<float> TraceReader::readRowsTransposed(const std::string& p, long first, long count) const {
  h5::Handle ds = h5::openDataset(file_.id(), p, path_);
  const auto dims = h5::datasetDims(ds.get());
  if (dims.size() != 2) throw InputError(path_, p + " is not 2-D");
  if (count < 0) count = static_cast<long>(dims[0]) - first;  // to the last row
  Mat<float> out(static_cast<long>(dims[1]), count);
  h5::readRows(ds.get(), checkedRow(first), checkedRow(count), dims[1], out.data(), path_);
  return out;
}
Mat<float> TraceReader::probs(long first, long count) const {
  return readRowsTransposed("outputs/probs", first, count);
}
bool TraceReader::hasFeatures() const {
  return h5::exists(file_.id(), "features");
}
Mat<float> TraceReader::features(long first, long count) const {
  return readRowsTransposed("features", first, count);
}

Mat<float> TraceReader::logits() const {
  return readRowsTransposed("outputs/logits", 0, -1);
}
Mat<float> TraceReader::probs() const {
  return readRowsTransposed("outputs/probs", 0, -1);
}

bool isTraceFile(const std::string& path) {
  return h5::lstmscopeFormatOf(path) == "trace";
}

std::string describeTrace(const TraceReader& trace) {
  std::ostringstream s;
  s << "trace of model: " << trace.modelName() << "\nsteps: " << trace.steps() << "\n";
  if (trace.documents() > 1 || !trace.documentNames().front().empty()) s << "documents: " << trace.documents() << "\n";
  for (const std::string& spec : trace.interventions()) s << "intervention: " << spec << "\n";
  for (int l = 0; l < trace.layers(); ++l) {
    s << "layer " << l << ": " << trace.units(l) << " units, "
      << (trace.directions(l) == 2 ? "fwd+bwd" : trace.directionName(l, 0)) << ", recorded";
    for (int q = 0; q <= static_cast<int>(Quantity::PreO); ++q)
      if (trace.has(l, 0, static_cast<Quantity>(q))) s << " " << quantityName(static_cast<Quantity>(q));
    s << "\n";
  }
  const std::vector<std::string> meta = trace.metaNames();
  if (!meta.empty()) {
    s << "meta tracks:";
    for (const std::string& name : meta) s << " " << name;
    s << "\n";
  }
  if (const auto [rows, outputs] = trace.hasOutputs() ? trace.outputShape() : std::pair<long, int>{0, 0};
      trace.hasOutputs() && rows == trace.steps())
    s << "outputs: " << outputs << " per step (logits, probs)\n";
  else if (trace.hasOutputs())  // a head that reads the whole sequence: one row per document
    s << "outputs: " << outputs << " per " << (rows > 1 ? "document" : "sequence") << ", " << rows
      << " row(s) (logits, probs)\n";
  else
    s << "outputs: none\n";
  return s.str();
}

}  // namespace lstmscope
