#include "core/engine/forward.h"

#include <omp.h>

#include "core/common/error.h"
#include "core/common/huge_pages.h"
#include "core/engine/head_pooling.h"
#include "core/engine/intervention_plan.h"
#include "core/engine/thread_recurrence.h"

namespace lstmscope {
namespace {

void checkToken(int32_t id, int vocabSize, long column) {
  if (id < 0 || id >= vocabSize)
    throw InputError("token id " + std::to_string(id) + " at position " + std::to_string(column) +
                     " is outside the vocabulary (size " + std::to_string(vocabSize) + ")");
}

// z = W x. With `columnsIndependent`, each column's arithmetic is the same whatever the other columns:
// our packed kernel's (its columns are computed alike, docs/ENGINE.md), or one matrix-vector product per
// column where the CPU lacks it. Otherwise Eigen's product, whose blocking depends on the shapes.
template <class T>
void multiply(const Mat<T>& W, const Mat<T>& x, Mat<T>& z, bool columnsIndependent) {
  if (!columnsIndependent) {
    z.noalias() = W * x;
  } else if (kernels::packedWeightsAvailable()) {
    const kernels::PackedWeights<T> packed(W);
    kernels::PackedColumns<T> columns;
    columns.pack(x);
    z.setZero(W.rows(), x.cols());
    packed.multiplyAdd(columns, z);
  } else {
    z.resize(W.rows(), x.cols());
    for (long k = 0; k < x.cols(); ++k) z.col(k).noalias() = W * x.col(k);
  }
}

// Input projection of all steps at once: Z = W_ih * X + (b_ih + b_hh), or a column gather for one-hot.
template <class T>
void projectInputs(const Inputs<T>& in, const Mat<T>* x, const DirectionParams<T>& w, Mat<T>& z,
                   bool columnsIndependent) {
  const Vec<T> bias = w.b_ih + w.b_hh;
  if (x) {
    z.resize(w.W_ih.rows(), x->cols());
    adviseHugePages(z);
    multiply(w.W_ih, *x, z, columnsIndependent);
  } else {  // one-hot: W_ih * e_v is column v
    z.resize(w.W_ih.rows(), in.columns());
    for (long k = 0; k < in.columns(); ++k) z.col(k) = w.W_ih.col(in.tokens[k]);
  }
  z.colwise() += bias;
}

// Below this much recurrent work per step (multiply-adds), splitting a step across cores costs more in
// synchronisation than it saves.
constexpr long kMinSplitWork = 4 * 128 * 128;

template <class T>
void runDirection(const LayerSpec& spec, const DirectionParams<T>& w, int layer, int dir, int steps, int batch,
                  DirectionTape<T>& dt, const ForwardOptions& options) {
  bool keepPre = options.keepPreactivations;
  const InterventionPlan* plan = options.interventions && !options.interventions->empty() &&
                                         options.interventions->stepRange(layer, dir, options.firstStep + steps)
                                     ? options.interventions
                                     : nullptr;
  const long H = spec.hidden, B = batch;
  const bool backward = spec.runsBackward(dir);
  Mat<T>& z = dt.gates;
  keepPre = keepPre || spec.clip > 0;  // backward needs to know which sums the clip cut
  if (keepPre)
    dt.preact.resize(4 * H, z.cols()), adviseHugePages(dt.preact);
  else
    dt.preact.resize(0, 0);
  dt.c.resize(H, z.cols());
  dt.h.resize(H, z.cols());
  adviseHugePages(dt.c), adviseHugePages(dt.h);
  const Mat<T>& hs = dt.h;
  const Mat<T>& cs = dt.c;
  const Mat<T>& h0 = dt.initial.h;
  const Mat<T>& c0 = dt.initial.c;
  // Each thread owns a contiguous range of units: their gate rows, cell and hidden values. After a step
  // every thread needs the whole h, hence one barrier per step; nothing else is shared.
  const int threads = (4 * H * H * B >= kMinSplitWork && steps > 1) ? std::min(omp_get_max_threads(), 2) : 1;
#pragma omp parallel num_threads(threads)
  {
    const int p = omp_get_thread_num(), parts = omp_get_num_threads();
    const long u0 = H * p / parts, n = H * (p + 1) / parts - u0;
    kernels::ThreadRecurrence<T> recurrence(w.W_hh, H, u0, n, B, options.columnsIndependent);
    std::vector<UnitEdit> edits;
    for (int s = 0; s < steps; ++s) {
      const long t = backward ? steps - 1 - s : s;
      const long prev = backward ? t + 1 : t - 1;
      kernels::StepBuffers<T> buf{z.middleCols(t * B, B),
                                  s == 0 ? h0.middleCols(0, B) : hs.middleCols(prev * B, B),
                                  s == 0 ? c0.middleCols(0, B) : cs.middleCols(prev * B, B),
                                  dt.c.middleCols(t * B, B),
                                  dt.h.middleCols(t * B, B),
                                  keepPre ? &dt.preact : nullptr,
                                  t * B,
                                  spec.peepholes ? &w.peephole : nullptr};
      if (plan) {
        plan->editsAt(layer, dir, options.firstStep + t, edits);
        buf.edits = edits.data(), buf.editCount = static_cast<int>(edits.size());
      }
      recurrence.addTo(buf);
      kernels::finishUnits<T>(spec, u0, n, buf);
      if (parts > 1) {
#pragma omp barrier
      }
    }
  }
}

template <class T>
Mat<T> applyDense(DenseActivation a, const Mat<T>& x) {
  Mat<T> y = x;
  for (long k = 0; k < y.size(); ++k) y.data()[k] = lstmscope::applyDense(a, y.data()[k]);
  return y;
}

template <class T>
void runHead(const Network<T>& net, Tape<T>& tape, bool columnsIndependent) {
  const HeadSpec& spec = *net.arch.head;
  const Mat<T>& last = tape.layerInput.back();  // output of the last LSTM layer
  const auto& lastSpec = net.arch.layers.back();
  // Resized, not rebuilt: a recording reuses one tape for every block, and fresh memory costs page faults.
  tape.headInputs.resize(net.params.headPre.size() + 1);
  if (spec.reads == HeadReads::EachStep) {
    tape.headInputs[0] = last;
  } else if (spec.pools()) {
    // Inputs are checked where they are read (requireStepsTheHeadReads); this guards every other caller.
    if (spec.reads == HeadReads::Flatten && tape.steps != spec.steps)
      throw InputError("the model's head flattens exactly " + std::to_string(spec.steps) + " steps, not " +
                       std::to_string(tape.steps));
    const Mat<T>& steps = headStepInput(net.arch, tape.layerInput, tape.headSteps);
    poolSteps(spec, net.params.headAttention, steps, tape.steps, tape.batch, tape.headInputs[0], tape.headWeights);
  } else {
    // Each direction's final state: fwd at step T-1, bwd at step 0 (fwd rows first).
    const long H = lastSpec.hidden, B = tape.batch;
    Mat<T>& fin = tape.headInputs[0];
    fin.resize(lastSpec.outputWidth(), B);
    for (int d = 0; d < lastSpec.directions(); ++d)
      fin.middleRows(d * H, H) = last.middleRows(d * H, H).middleCols(lastSpec.finalStep(d, tape.steps) * B, B);
  }
  for (size_t k = 0; k < net.params.headPre.size(); ++k) {
    const auto& d = net.params.headPre[k];
    Mat<T>& z = tape.headInputs[k + 1];
    multiply(d.weight, tape.headInputs[k], z, columnsIndependent);
    z.colwise() += d.bias;
    z = applyDense<T>(spec.preActivations[k], z);
  }
  multiply(net.params.head.weight, tape.headInputs.back(), tape.logits, columnsIndependent);
  tape.logits.colwise() += net.params.head.bias;
  tape.probs = headActivation<T>(spec.activation, tape.logits);
}

}  // namespace

template <class T>
State<T> Tape<T>::finalState(const Architecture& arch) const {
  State<T> s(layers.size());
  for (size_t l = 0; l < layers.size(); ++l)
    for (size_t d = 0; d < layers[l].size(); ++d) {
      const auto& dt = layers[l][d];
      const long B = batch, t = arch.layers[l].finalStep(static_cast<int>(d), steps);
      s[l].push_back({dt.h.middleCols(t * B, B), dt.c.middleCols(t * B, B)});
    }
  return s;
}

template <class T>
Mat<T> headActivation(HeadActivation a, const Mat<T>& logits) {
  // Column by column through one aligned vector: Eigen's vectorised exp and sum treat a column's first and
  // last values by its address, so a column computed in place could differ in its last bit with its place
  // in the batch (ForwardOptions::columnsIndependent).
  Vec<T> column;
  switch (a) {
    case HeadActivation::Softmax: {
      Mat<T> p(logits.rows(), logits.cols());
      for (long j = 0; j < p.cols(); ++j) {
        column = logits.col(j);
        column = (column.array() - column.maxCoeff()).exp();
        column /= column.sum();
        p.col(j) = column;
      }
      return p;
    }
    case HeadActivation::Sigmoid: {
      Mat<T> p(logits.rows(), logits.cols());
      for (long j = 0; j < p.cols(); ++j) {
        column = logits.col(j);
        column = (T(1) / (T(1) + (-column.array()).exp())).matrix();
        p.col(j) = column;
      }
      return p;
    }
    case HeadActivation::Linear:
      return logits;
  }
  return logits;
}

template <class T>
void forward(const Network<T>& net, const Inputs<T>& in, Tape<T>& tape, const ForwardOptions& options,
             const State<T>* initial) {
  const Architecture& arch = net.arch;
  if (in.steps <= 0 || in.batch <= 0) throw InputError("the input has no steps");
  tape.steps = in.steps;
  tape.batch = in.batch;
  const long cols = in.columns();
  // Resized, not rebuilt (see runHead); every matrix below is overwritten in full.
  tape.layerInput.resize(arch.layers.size() + 1);
  tape.layers.resize(arch.layers.size());

  // Layer 0's input: embedding vectors, features, or (one-hot) nothing materialised.
  const Mat<T>* x = nullptr;
  if (arch.inputKind == InputKind::Tokens) {
    if (static_cast<long>(in.tokens.size()) != cols) throw InputError("token count does not match steps x batch");
    for (long k = 0; k < cols; ++k) checkToken(in.tokens[k], arch.vocab.size(), k);
    if (arch.hasEmbedding) {
      Mat<T>& e = tape.layerInput[0];
      e.resize(net.params.embedding.rows(), cols);
      for (long k = 0; k < cols; ++k) e.col(k) = net.params.embedding.col(in.tokens[k]);
      x = &e;
    } else {
      tape.layerInput[0].resize(0, 0);
    }
  } else {
    if (in.features.rows() != arch.featureDim || in.features.cols() != cols)
      throw InputError("the input has " + std::to_string(in.features.rows()) +
                       " features per step but the model expects " + std::to_string(arch.featureDim));
    tape.layerInput[0] = in.features;
    x = &tape.layerInput[0];
  }

  for (size_t l = 0; l < arch.layers.size(); ++l) {
    const LayerSpec& spec = arch.layers[l];
    const long H = spec.hidden;
    tape.layers[l].resize(spec.directions());
    for (int d = 0; d < spec.directions(); ++d) {
      DirectionTape<T>& dt = tape.layers[l][d];
      const DirectionParams<T>& w = net.params.lstm[l][d];
      projectInputs(in, x, w, dt.gates, options.columnsIndependent);
      if (initial) {
        dt.initial = (*initial)[l][d];
      } else {
        dt.initial.h = Mat<T>::Zero(H, in.batch);
        dt.initial.c = Mat<T>::Zero(H, in.batch);
      }
      runDirection(spec, w, static_cast<int>(l), d, in.steps, in.batch, dt, options);
    }
    Mat<T>& out = tape.layerInput[l + 1];
    if (spec.bidirectional) {
      out.resize(2 * H, cols);
      adviseHugePages(out);
      out.topRows(H) = tape.layers[l][0].h;
      out.bottomRows(H) = tape.layers[l][1].h;
    } else {
      out = tape.layers[l][0].h;
    }
    x = &out;
  }
  if (arch.head && options.computeHead) runHead(net, tape, options.columnsIndependent);
}

template struct Tape<float>;
template struct Tape<double>;
template void forward<float>(const Network<float>&, const Inputs<float>&, Tape<float>&, const ForwardOptions&,
                             const State<float>*);
template void forward<double>(const Network<double>&, const Inputs<double>&, Tape<double>&, const ForwardOptions&,
                              const State<double>*);
template Mat<float> headActivation<float>(HeadActivation, const Mat<float>&);
template Mat<double> headActivation<double>(HeadActivation, const Mat<double>&);

}  // namespace lstmscope
