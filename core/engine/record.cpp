#include "core/engine/record.h"

#include <algorithm>
#include <array>

#include "core/common/error.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

constexpr std::array<const char*, 10> kQuantityNames{"i", "f", "g", "o", "c", "h", "pre_i", "pre_f", "pre_g", "pre_o"};

template <class T>
Inputs<T> sliceSteps(const Inputs<T>& in, long first, long count) {
  Inputs<T> out;
  out.steps = static_cast<int>(count);
  out.batch = 1;
  if (!in.tokens.empty()) out.tokens.assign(in.tokens.begin() + first, in.tokens.begin() + first + count);
  if (in.features.size()) out.features = in.features.middleCols(first, count);
  return out;
}

// Sends a (rows, n) block to the observer as float.
template <class T, class Block, class Send>
void asFloat(const Block& block, Send send) {
  if constexpr (std::is_same_v<T, float>) {
    const Mat<float> m = block;  // contiguous copy of a row block
    send(m.data());
  } else {
    const Mat<float> m = block.template cast<float>();
    send(m.data());
  }
}

template <class T>
void emitChunk(const Network<T>& net, const Tape<T>& tape, long first, bool lastChunk, const RecordRequest& req,
               RecordObserver& obs) {
  const long n = tape.steps;
  for (size_t l = 0; l < tape.layers.size(); ++l) {
    const long H = net.arch.layers[l].hidden;
    for (size_t d = 0; d < tape.layers[l].size(); ++d) {
      const DirectionTape<T>& dt = tape.layers[l][d];
      for (Quantity q : req.quantities) {
        auto send = [&](const float* p) {
          obs.onStates(static_cast<int>(l), static_cast<int>(d), q, first, n, p, static_cast<int>(H));
        };
        switch (q) {
          case Quantity::C: asFloat<T>(dt.c, send); break;
          case Quantity::H: asFloat<T>(dt.h, send); break;
          default: {
            const int k = static_cast<int>(q) % 6;  // I..O and PreI..PreO map to gate blocks 0..3
            const Mat<T>& src = isPreactivation(q) ? dt.preact : dt.gates;
            asFloat<T>(src.middleRows(k * H, H), send);
          }
        }
      }
    }
  }
  if (req.outputs && net.arch.head && tape.logits.size()) {
    const int K = static_cast<int>(tape.logits.rows());
    if (net.arch.head->reads == HeadReads::EachStep) {
      const Mat<float> lg = tape.logits.template cast<float>(), pr = tape.probs.template cast<float>();
      obs.onOutputs(first, n, lg.data(), pr.data(), K);
    } else if (lastChunk) {
      const Mat<float> lg = tape.logits.template cast<float>(), pr = tape.probs.template cast<float>();
      obs.onOutputs(0, 1, lg.data(), pr.data(), K);
    }
  }
}

}  // namespace

const char* quantityName(Quantity q) { return kQuantityNames[static_cast<int>(q)]; }

bool parseQuantity(const std::string& name, Quantity& out) {
  for (size_t k = 0; k < kQuantityNames.size(); ++k)
    if (name == kQuantityNames[k]) return out = static_cast<Quantity>(k), true;
  return false;
}

template <class T>
void record(const Network<T>& net, const Inputs<T>& in, const RecordRequest& request, RecordObserver& observer) {
  if (in.batch != 1) throw std::invalid_argument("record() takes one sequence");
  const bool anyBidirectional = std::any_of(net.arch.layers.begin(), net.arch.layers.end(),
                                            [](const LayerSpec& s) { return s.bidirectional; });
  const long total = in.steps;
  const long chunk = anyBidirectional ? total : std::max<long>(1, request.chunkSteps);
  ForwardOptions options;
  options.keepPreactivations = std::any_of(request.quantities.begin(), request.quantities.end(), isPreactivation);
  options.computeHead = request.outputs;
  State<T> state;
  Tape<T> tape;
  for (long first = 0; first < total; first += chunk) {
    if (observer.cancelled()) throw Cancelled();
    const long n = std::min(chunk, total - first);
    const Inputs<T> part = chunk == total ? Inputs<T>() : sliceSteps(in, first, n);
    forward(net, chunk == total ? in : part, tape, options, first == 0 ? nullptr : &state);
    emitChunk(net, tape, first, first + n == total, request, observer);
    if (first + n < total) state = tape.finalState();
    observer.onProgress(first + n, total);
  }
}

template void record<float>(const Network<float>&, const Inputs<float>&, const RecordRequest&, RecordObserver&);
template void record<double>(const Network<double>&, const Inputs<double>&, const RecordRequest&, RecordObserver&);

}  // namespace lstmscope
