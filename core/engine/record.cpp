#include "core/engine/record.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/common/error.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

constexpr std::array<const char*, 10> kQuantityNames{"i", "f", "g", "o", "c", "h", "pre_i", "pre_f", "pre_g", "pre_o"};

// One document of a corpus: where it starts in the input, its length, and its index.
struct Document {
  long start, length;
  int index;
};

// Gathers `count` steps of each sequence into one batch: column t * B + b is step starts[b] + t.
template <class T>
Inputs<T> gatherSequences(const Inputs<T>& in, const std::vector<long>& starts, long count) {
  const int B = static_cast<int>(starts.size());
  Inputs<T> out;
  out.steps = static_cast<int>(count);
  out.batch = B;
  if (!in.tokens.empty()) out.tokens.resize(count * B);
  if (in.features.size()) out.features.resize(in.features.rows(), count * B);
  for (long t = 0; t < count; ++t)
    for (int b = 0; b < B; ++b) {
      const long src = starts[b] + t, dst = t * B + b;
      if (!in.tokens.empty()) out.tokens[dst] = in.tokens[src];
      if (in.features.size()) out.features.col(dst) = in.features.col(src);
    }
  return out;
}

// Columns `keep` of a batch's state, those marked `fresh` set to zero (a document starting).
template <class T>
State<T> selectSequences(const State<T>& state, const std::vector<int>& keep, const std::vector<bool>& fresh) {
  State<T> out(state.size());
  for (size_t l = 0; l < state.size(); ++l)
    for (const DirectionState<T>& d : state[l]) {
      DirectionState<T> s{Mat<T>(d.h.rows(), static_cast<long>(keep.size())),
                          Mat<T>(d.c.rows(), static_cast<long>(keep.size()))};
      for (size_t k = 0; k < keep.size(); ++k) {
        s.h.col(static_cast<long>(k)) = fresh[k] ? Vec<T>::Zero(d.h.rows()) : Vec<T>(d.h.col(keep[k]));
        s.c.col(static_cast<long>(k)) = fresh[k] ? Vec<T>::Zero(d.c.rows()) : Vec<T>(d.c.col(keep[k]));
      }
      out[l].push_back(std::move(s));
    }
  return out;
}

// Steps [first, first + count) of `segments` equal segments of length segLength, starting at `offset`,
// as one batch: column t * segments + b is step offset + b * segLength + first + t.
template <class T>
Inputs<T> gatherBatch(const Inputs<T>& in, long offset, long segLength, int segments, long first, long count) {
  std::vector<long> starts(static_cast<size_t>(segments));
  for (int b = 0; b < segments; ++b) starts[static_cast<size_t>(b)] = offset + b * segLength + first;
  return gatherSequences(in, starts, count);
}

struct FloatView {
  const float* data;
  long stride;  // floats from one step's column to the next
};

// Segment b's columns (b, b + B, b + 2B, ...) of a (rows, n * B) block as float. A float engine's single
// sequence is viewed in place, with its column stride; otherwise the columns are converted into `buffer`,
// which is reused so that large blocks do not land on fresh pages every time.
template <class T, class Block>
FloatView floatColumns(const Block& block, int b, int B, std::vector<float>& buffer) {
  const long rows = block.rows(), n = block.cols() / B;
  if constexpr (std::is_same_v<T, float>) {
    if (B == 1) return {block.data(), block.outerStride()};
  }
  buffer.resize(rows * n);
  Eigen::Map<Mat<float>> out(buffer.data(), rows, n);
  for (long t = 0; t < n; ++t) out.col(t) = block.col(t * B + b).template cast<float>();
  return {buffer.data(), rows};
}

// Reports one chunk of a batched run; sequence b's first step in the input is stepOf(b). A final-states
// head's output for sequence b goes to row finalRowOf(b), or nowhere when that is negative (the sequence
// goes on in a later chunk).
template <class T, class StepOf, class FinalRowOf>
void emitChunk(const Network<T>& net, const Tape<T>& tape, StepOf stepOf, FinalRowOf finalRowOf,
               const RecordRequest& req, RecordObserver& obs, std::vector<float> (&buffers)[2]) {
  const int B = tape.batch;
  const long n = tape.steps;
  for (size_t l = 0; l < tape.layers.size(); ++l) {
    const long H = net.arch.layers[l].hidden;
    for (size_t d = 0; d < tape.layers[l].size(); ++d) {
      const DirectionTape<T>& dt = tape.layers[l][d];
      for (Quantity q : req.quantities) {
        const int k = static_cast<int>(q) % 6;  // I..O and PreI..PreO map to gate blocks 0..3
        for (int b = 0; b < B; ++b) {
          const FloatView v =
              q == Quantity::C ? floatColumns<T>(dt.c.middleCols(0, dt.c.cols()), b, B, buffers[0])
              : q == Quantity::H
                  ? floatColumns<T>(dt.h.middleCols(0, dt.h.cols()), b, B, buffers[0])
                  : floatColumns<T>((isPreactivation(q) ? dt.preact : dt.gates).middleRows(k * H, H), b, B, buffers[0]);
          obs.onStates(
              {static_cast<int>(l), static_cast<int>(d), q, stepOf(b), n, v.data, static_cast<int>(H), v.stride});
        }
      }
    }
  }
  if (!req.outputs || !net.arch.head || tape.logits.size() == 0) return;
  const int K = static_cast<int>(tape.logits.rows());
  const bool eachStep = net.arch.head->reads == HeadReads::EachStep;
  for (int b = 0; b < B; ++b) {
    const long row = eachStep ? stepOf(b) : finalRowOf(b);
    if (row < 0) continue;
    const FloatView logits = floatColumns<T>(tape.logits.middleCols(0, tape.logits.cols()), b, B, buffers[0]);
    const FloatView probs = floatColumns<T>(tape.probs.middleCols(0, tape.probs.cols()), b, B, buffers[1]);
    obs.onOutputs(row, eachStep ? n : 1, logits.data, probs.data, K);
  }
}

// Bytes of tape per (step, sequence) column of one block.
double bytesPerColumn(const Architecture& arch, bool keepPre, int outputs) {
  double floats = arch.inputWidth();
  for (const LayerSpec& l : arch.layers)
    floats += l.directions() * (4.0 * l.hidden * (keepPre ? 2 : 1) + 2.0 * l.hidden) + l.outputWidth();
  floats += 2.0 * outputs + arch.lastOutputWidth();
  return floats * sizeof(double);  // an upper bound for either precision
}

// How many (step, sequence) columns one block may hold: 3/4 of physical memory, or
// LSTMSCOPE_MEMORY_LIMIT_MB when set.
long maxBlockColumns(const Architecture& arch, bool keepPre, int outputs) {
  double budget = 0.75 * static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (const char* limit = std::getenv("LSTMSCOPE_MEMORY_LIMIT_MB")) budget = std::atof(limit) * 1e6;
  return static_cast<long>(budget / bytesPerColumn(arch, keepPre, outputs));
}

// Whether a sequence must run as one block: a layer looks ahead, or the head pools every step's output
// (pooling chunk by chunk would give each chunk's pool, not the sequence's).
template <class T>
bool wholeSequences(const Network<T>& net, const RecordRequest& request) {
  return net.arch.looksAhead() || (request.outputs && net.arch.head && net.arch.head->pools());
}

// Runs `segments` equal segments of length segLength starting at `offset` as one batch, in chunks.
template <class T>
void recordSegments(const Network<T>& net, const Inputs<T>& in, long offset, long segLength, int segments,
                    const RecordRequest& request, RecordObserver& observer, const ProgressCallbacks& callbacks,
                    long& done) {
  const long chunk = wholeSequences(net, request) ? segLength : std::max<long>(1, request.chunkSteps);
  ForwardOptions options;
  options.keepPreactivations = std::any_of(request.quantities.begin(), request.quantities.end(), isPreactivation);
  options.computeHead = request.outputs;
  options.interventions = request.interventions;  // one whole sequence (record() checks): its steps are the plan's
  State<T> state;
  Tape<T> tape;
  std::vector<float> buffers[2];
  for (long first = 0; first < segLength; first += chunk) {
    checkCancelled(callbacks);
    const long n = std::min(chunk, segLength - first);
    options.firstStep = first;
    const bool whole = segments == 1 && offset == 0 && n == in.steps;
    forward(net, whole ? in : gatherBatch(in, offset, segLength, segments, first, n), tape, options,
            first == 0 ? nullptr : &state);
    const auto stepOf = [&](int b) { return offset + b * segLength + first; };
    const bool last = first + n == segLength;
    emitChunk(
        net, tape, stepOf, [&](int) { return last && segments == 1 ? 0L : -1L; }, request, observer, buffers);
    if (first + n < segLength) state = tape.finalState(net.arch);
    done += n * segments;
    reportProgress(callbacks, done, in.steps);
  }
}

// Runs the documents in up to `lanes` lanes. A lane carries one document at a time, from a zero state;
// blocks end where the first running document ends, and there its lane takes the next document (from a
// zero state again) or leaves. The batch stays full while documents remain, and each document is computed
// exactly as if alone. A model that looks ahead runs one whole document per block (lanes = 1).
template <class T>
void recordDocumentLanes(const Network<T>& net, const Inputs<T>& in, const std::vector<Document>& docs, int lanes,
                         const RecordRequest& request, RecordObserver& observer, const ProgressCallbacks& callbacks) {
  ForwardOptions options;
  options.keepPreactivations = std::any_of(request.quantities.begin(), request.quantities.end(), isPreactivation);
  options.computeHead = request.outputs;
  // The lanes hold whichever documents are running: a document's numbers must not depend on its neighbours
  // (nor on how many there are), so that a corpus records alike however it is batched or shared among ranks.
  options.columnsIndependent = true;
  const bool whole = wholeSequences(net, request);
  struct Lane {
    size_t doc;
    long position = 0;  // steps of the document done
  };
  std::vector<Lane> active;
  size_t next = 0;
  while (static_cast<int>(active.size()) < lanes && next < docs.size()) active.push_back({next++});
  State<T> state;
  bool carried = false;
  Tape<T> tape;
  std::vector<float> buffers[2];
  long done = 0;
  while (!active.empty()) {
    checkCancelled(callbacks);
    long n = whole ? docs[active[0].doc].length : request.chunkSteps;
    std::vector<long> starts;
    for (const Lane& lane : active) {
      n = std::min(n, docs[lane.doc].length - lane.position);
      starts.push_back(docs[lane.doc].start + lane.position);
    }
    forward(net, gatherSequences(in, starts, n), tape, options, carried ? &state : nullptr);
    const auto stepOf = [&](int b) { return starts[b]; };
    const auto finalRowOf = [&](int b) {
      const Document& d = docs[active[b].doc];
      return active[b].position + n == d.length ? long(d.index) : -1L;
    };
    emitChunk(net, tape, stepOf, finalRowOf, request, observer, buffers);
    done += n * static_cast<long>(active.size());
    reportProgress(callbacks, done, in.steps);
    // Lanes whose document ended take the next one or leave; the others carry their state on.
    std::vector<Lane> kept;
    std::vector<int> columns;
    std::vector<bool> fresh;
    for (size_t b = 0; b < active.size(); ++b) {
      Lane lane = active[b];
      lane.position += n;
      if (lane.position < docs[lane.doc].length) {
        kept.push_back(lane), columns.push_back(static_cast<int>(b)), fresh.push_back(false);
      } else if (next < docs.size()) {
        kept.push_back({next++}), columns.push_back(static_cast<int>(b)), fresh.push_back(true);
      }
    }
    if (!kept.empty() && !whole) state = selectSequences(tape.finalState(net.arch), columns, fresh);
    carried = !whole;
    active = std::move(kept);
  }
}

// A corpus: its non-empty documents, in file order (writes stay near each other), through lanes.
template <class T>
void recordDocuments(const Network<T>& net, const Inputs<T>& in, const RecordRequest& request, RecordObserver& observer,
                     const ProgressCallbacks& callbacks) {
  const std::vector<long>& offsets = request.documents;
  if (offsets.size() < 2 || offsets.front() != 0 || offsets.back() != in.steps ||
      !std::is_sorted(offsets.begin(), offsets.end()))
    throw std::invalid_argument("record(): document offsets must rise from 0 to the input's length");
  const bool whole = wholeSequences(net, request);
  const bool keepPre = std::any_of(request.quantities.begin(), request.quantities.end(), isPreactivation);
  const long maxColumns =
      maxBlockColumns(net.arch, keepPre, net.arch.head ? static_cast<int>(net.params.head.weight.rows()) : 0);
  std::vector<Document> docs;
  for (size_t d = 0; d + 1 < offsets.size(); ++d) {
    const long length = offsets[d + 1] - offsets[d];
    if (length == 0) continue;
    if ((whole ? length : std::min(request.chunkSteps, length)) > maxColumns)
      throw InputError("recording document " + std::to_string(d + 1) + " needs blocks of " + std::to_string(length) +
                       " steps but memory allows " + std::to_string(maxColumns) +
                       " (the model has a bidirectional or reverse layer, or a head that pools every step, which "
                       "reads a whole document at once)");
    docs.push_back({offsets[d], length, static_cast<int>(d)});
  }
  // A block holds (steps x lanes) columns: a whole document alone when the model looks ahead, else up to
  // chunkSteps steps of each lane's document.
  const int lanes = whole ? 1
                          : static_cast<int>(std::clamp<long>(maxColumns / std::max(1L, request.chunkSteps), 1,
                                                              std::max(1, request.documentBatch)));
  recordDocumentLanes(net, in, docs, lanes, request, observer, callbacks);
}

}  // namespace

const char* quantityName(Quantity q) {
  return kQuantityNames[static_cast<int>(q)];
}

bool parseQuantity(const std::string& name, Quantity& out) {
  for (size_t k = 0; k < kQuantityNames.size(); ++k)
    if (name == kQuantityNames[k]) return out = static_cast<Quantity>(k), true;
  return false;
}

template <class T>
void record(const Network<T>& net, const Inputs<T>& in, const RecordRequest& request, RecordObserver& observer,
            const ProgressCallbacks& callbacks) {
  if (in.batch != 1) throw std::invalid_argument("record() takes one sequence");
  if (request.interventions && (!request.documents.empty() || request.segments > 1))
    throw std::invalid_argument("record(): interventions apply to one exact sequential run");
  if (!request.documents.empty()) {
    if (request.segments > 1) throw std::invalid_argument("record(): documents and segments exclude each other");
    return recordDocuments(net, in, request, observer, callbacks);
  }
  const long total = in.steps;
  const int segments = static_cast<int>(std::clamp<long>(request.segments, 1, total));
  if (segments > 1 && repeatsAState(net.arch.frontEnd))
    throw InputError(
        "the model is an encoder-decoder: every decoder step reads the encoder's last state of the whole input, "
        "and the decoder's state runs from its first step, so it cannot be cut into segments: record it in one "
        "segment (--batch 1)");
  if (segments > 1 && net.arch.head && net.arch.head->perSequence() && request.outputs)
    throw InputError(std::string("the model's head reads the whole sequence (") +
                     (net.arch.task == Task::Classifier ? "a classifier" : "one output per sequence") +
                     "): record it in one segment (--batch 1)");
  // Segments of total / segments steps, rounded down to the alignment; what that leaves (less than
  // segments x alignment) is cut the same way without alignment, and the last few steps run as one.
  std::vector<std::pair<long, int>> runs;  // (segment length, count)
  long segLength = total / segments;
  if (request.segmentAlign > 1 && segLength >= request.segmentAlign) segLength -= segLength % request.segmentAlign;
  runs.push_back({segLength, segments});
  long rest = total - segLength * segments;
  if (rest >= segments) runs.push_back({rest / segments, segments}), rest -= (rest / segments) * segments;
  if (rest > 0) runs.push_back({rest, 1});

  // A bidirectional or reverse layer needs a whole segment at once, so memory bounds how many segments run
  // together.
  const bool wholeSegments = wholeSequences(net, request);
  const bool keepPre = std::any_of(request.quantities.begin(), request.quantities.end(), isPreactivation);
  const long maxColumns =
      maxBlockColumns(net.arch, keepPre, net.arch.head ? static_cast<int>(net.params.head.weight.rows()) : 0);
  long offset = 0, done = 0;
  for (const auto& [length, count] : runs) {
    const long blockSteps = wholeSegments ? length : std::min(request.chunkSteps, length);
    if (blockSteps > maxColumns)
      throw InputError(
          "recording needs blocks of " + std::to_string(blockSteps) + " steps but memory allows " +
          std::to_string(maxColumns) +
          (!wholeSegments ? ""
           : net.arch.looksAhead()
               ? ": the model has a bidirectional or reverse layer, which needs a whole segment at once; "
                 "cut the input into more segments with --batch, or shorten it"
               : ": the model's head pools every step, which needs the whole input at once; shorten it, or "
                 "record only the states"));
    const int perBatch = static_cast<int>(std::clamp<long>(maxColumns / std::max(1L, blockSteps), 1, count));
    for (int first = 0; first < count; first += perBatch)
      recordSegments(net, in, offset + first * length, length, std::min(perBatch, count - first), request, observer,
                     callbacks, done);
    offset += length * count;
  }
}

template void record<float>(const Network<float>&, const Inputs<float>&, const RecordRequest&, RecordObserver&,
                            const ProgressCallbacks&);
template void record<double>(const Network<double>&, const Inputs<double>&, const RecordRequest&, RecordObserver&,
                             const ProgressCallbacks&);

}  // namespace lstmscope
