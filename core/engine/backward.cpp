#include "core/engine/backward.h"

#include "core/common/error.h"
#include "core/common/huge_pages.h"
#include "core/engine/derivatives.h"
#include "core/engine/head_pooling.h"

namespace lstmscope {
namespace {

// Backward through one direction of one layer. dHext holds d score / d h_t from above (head or next
// layer) plus any direct seeds; returns d score / d pre-activations in dZ (4H, T*B).
template <class T>
void throughTime(const LayerSpec& spec, const DirectionParams<T>& w, const DirectionTape<T>& dt, bool backwardInTime,
                 int steps, int batch, const Mat<T>& dHext, const Mat<T>* dCseed, Mat<T>& dZ, Mat<T>* dHkeep,
                 Mat<T>* dCkeep, DirectionState<T>& dInitial) {
  const long H = spec.hidden, B = batch, cols = static_cast<long>(steps) * B;
  dZ.resize(4 * H, cols);
  adviseHugePages(dZ);
  Mat<T> dh = Mat<T>::Zero(H, B), dc = Mat<T>::Zero(H, B);
  // W_hh^T stored column-major once: every step's product then packs contiguous columns instead of
  // gathering a transposed view.
  const Mat<T> recurrentT = w.W_hh.transpose();
  const Vec<T>* peep = spec.peepholes ? &w.peephole : nullptr;
  for (int s = steps - 1; s >= 0; --s) {
    const long t = backwardInTime ? steps - 1 - s : s;
    const long prev = backwardInTime ? t + 1 : t - 1;
    dh += dHext.middleCols(t * B, B);
    if (dHkeep) dHkeep->middleCols(t * B, B) = dh;
    const Mat<T>& cPrevSrc = s == 0 ? dt.initial.c : dt.c;
    const auto cPrev = cPrevSrc.middleCols(s == 0 ? 0 : prev * B, B);
    const StepFactors<T> k = stepFactors<T>(spec, dt, t * B, B, cPrev);
    auto z = dZ.middleCols(t * B, B);
    z.bottomRows(H).array() = dh.array() * k.toO.array();
    dc.array() += dh.array() * k.toCell.array();
    if (peep) dc.array() += z.bottomRows(H).array().colwise() * peep->segment(2 * H, H).array();  // o read c_t
    if (dCseed) dc += dCseed->middleCols(t * B, B);
    if (dCkeep) dCkeep->middleCols(t * B, B) = dc;
    z.topRows(H).array() = dc.array() * k.toI.array();
    z.middleRows(H, H).array() = dc.array() * k.toF.array();
    z.middleRows(2 * H, H).array() = dc.array() * k.toG.array();
    dc.array() *= dt.gates.middleRows(H, H).middleCols(t * B, B).array();
    if (peep) {  // i and f read c_{t-1}
      dc.array() += z.topRows(H).array().colwise() * peep->segment(0, H).array();
      dc.array() += z.middleRows(H, H).array().colwise() * peep->segment(H, H).array();
    }
    dh.noalias() = recurrentT * z;
  }
  dInitial.h = dh;
  dInitial.c = dc;
}

// h_{t-1} (or c_{t-1}) for every column, in the direction's own time order: `initial` where there is none.
template <class T>
Mat<T> previousStates(const Mat<T>& states, const Mat<T>& initial, bool backwardInTime, long B) {
  const long cols = states.cols();
  Mat<T> prev(states.rows(), cols);
  if (!backwardInTime) {
    prev.leftCols(B) = initial;
    prev.rightCols(cols - B) = states.leftCols(cols - B);
  } else {
    prev.rightCols(B) = initial;
    prev.leftCols(cols - B) = states.rightCols(cols - B);
  }
  return prev;
}

// Backward through the head; returns d score / d (each layer input the head reads), indexed like
// Tape::layerInput (an empty matrix where the head reads nothing).
template <class T>
std::vector<Mat<T>> throughHead(const Network<T>& net, const Tape<T>& tape, const Mat<T>& dLogits, bool weightGrads,
                                Params<T>& grads) {
  const HeadSpec& spec = *net.arch.head;
  const auto& inputs = tape.headInputs;
  const size_t K = net.params.headPre.size();
  if (dLogits.rows() != tape.logits.rows() || dLogits.cols() != tape.logits.cols())
    throw std::invalid_argument("dLogits must have the shape of the tape's logits");
  if (weightGrads) {
    grads.head.weight.noalias() = dLogits * inputs[K].transpose();
    grads.head.bias = dLogits.rowwise().sum();
  }
  Mat<T> dX(net.params.head.weight.cols(), dLogits.cols());
  adviseHugePages(dX);
  dX.noalias() = net.params.head.weight.transpose() * dLogits;
  for (size_t k = K; k-- > 0;) {
    const Mat<T>& y = inputs[k + 1];
    Mat<T> dZ = dX;
    for (long e = 0; e < dZ.size(); ++e) dZ.data()[e] *= denseDerivative(spec.preActivations[k], y.data()[e]);
    if (weightGrads) {
      grads.headPre[k].weight.noalias() = dZ * inputs[k].transpose();
      grads.headPre[k].bias = dZ.rowwise().sum();
    }
    dX.noalias() = net.params.headPre[k].weight.transpose() * dZ;
  }
  const LayerSpec& last = net.arch.layers.back();
  const long cols = static_cast<long>(tape.steps) * tape.batch, B = tape.batch;
  std::vector<Mat<T>> dSources(net.arch.layers.size() + 1);
  Mat<T>& dLast = dSources.back();
  if (spec.reads == HeadReads::EachStep) {
    dLast = std::move(dX);
  } else if (spec.pools()) {
    const std::vector<int> sources = net.arch.headSources();
    const Mat<T>& steps = sources.size() == 1 ? tape.layerInput[static_cast<size_t>(sources[0])] : tape.headSteps;
    const Mat<T> dSteps = poolStepsBackward(spec, net.params.headAttention, steps, tape.headWeights, dX, tape.steps,
                                            tape.batch, weightGrads ? &grads.headAttention : nullptr);
    long row = 0;
    for (int s : sources) {
      const long rows = tape.layerInput[static_cast<size_t>(s)].rows();
      Mat<T>& d = dSources[static_cast<size_t>(s)];  // a source listed twice gets both parts
      d.size() ? void(d += dSteps.middleRows(row, rows)) : void(d = dSteps.middleRows(row, rows));
      row += rows;
    }
  } else {
    dLast = Mat<T>::Zero(last.outputWidth(), cols);
    const long H = last.hidden;
    for (int d = 0; d < last.directions(); ++d)
      dLast.middleRows(d * H, H).middleCols(last.finalStep(d, tape.steps) * B, B) = dX.middleRows(d * H, H);
  }
  return dSources;
}

}  // namespace

template <class T>
void backward(const Network<T>& net, const Inputs<T>& in, const Tape<T>& tape, const Adjoints<T>& adj,
              const BackwardOptions& opt, Gradients<T>& out) {
  const Architecture& arch = net.arch;
  const long B = tape.batch, cols = static_cast<long>(tape.steps) * B;
  const int L = static_cast<int>(arch.layers.size());
  if (opt.weightGradients) out.params = net.params.zerosLike();
  out.dH.assign(opt.stateGradients ? L : 0, {});
  out.dC.assign(opt.stateGradients ? L : 0, {});
  out.dInitial.assign(L, {});

  std::vector<Mat<T>> dHead(static_cast<size_t>(L) + 1);  // what the head adds to each layer input's gradient
  if (arch.head && adj.dLogits.size()) dHead = throughHead(net, tape, adj.dLogits, opt.weightGradients, out.params);
  Mat<T> dOut = dHead.back().size() ? std::move(dHead.back()) : Mat<T>::Zero(arch.lastOutputWidth(), cols);

  const bool oneHot = arch.inputKind == InputKind::Tokens && !arch.hasEmbedding;
  for (int l = L - 1; l >= 0; --l) {
    const LayerSpec& spec = arch.layers[l];
    const long H = spec.hidden;
    const bool needInputGrad = l > 0 || opt.inputGradients || (opt.weightGradients && arch.hasEmbedding);
    Mat<T> dX;
    out.dInitial[l].resize(spec.directions());
    if (opt.stateGradients) {
      out.dH[l].assign(spec.directions(), Mat<T>(H, cols));
      out.dC[l].assign(spec.directions(), Mat<T>(H, cols));
    }
    for (int d = 0; d < spec.directions(); ++d) {
      const DirectionParams<T>& w = net.params.lstm[l][d];
      const DirectionTape<T>& dt = tape.layers[l][d];
      Mat<T> dHext(H, cols);
      adviseHugePages(dHext);
      dHext = dOut.middleRows(d * H, H);
      if (static_cast<int>(adj.dH.size()) > l && adj.dH[l].size() > size_t(d) && adj.dH[l][d].size())
        dHext += adj.dH[l][d];
      const Mat<T>* dCseed =
          (static_cast<int>(adj.dC.size()) > l && adj.dC[l].size() > size_t(d) && adj.dC[l][d].size()) ? &adj.dC[l][d]
                                                                                                       : nullptr;
      Mat<T> dZ;
      throughTime(spec, w, dt, spec.runsBackward(d), tape.steps, tape.batch, dHext, dCseed, dZ,
                  opt.stateGradients ? &out.dH[l][d] : nullptr, opt.stateGradients ? &out.dC[l][d] : nullptr,
                  out.dInitial[l][d]);
      if (opt.weightGradients) {
        DirectionParams<T>& g = out.params.lstm[l][d];
        g.W_hh.noalias() = dZ * previousStates(dt.h, dt.initial.h, spec.runsBackward(d), B).transpose();
        if (spec.peepholes) {
          const Mat<T> cPrev = previousStates(dt.c, dt.initial.c, spec.runsBackward(d), B);
          g.peephole.segment(0, H) = dZ.topRows(H).cwiseProduct(cPrev).rowwise().sum();
          g.peephole.segment(H, H) = dZ.middleRows(H, H).cwiseProduct(cPrev).rowwise().sum();
          g.peephole.segment(2 * H, H) = dZ.bottomRows(H).cwiseProduct(dt.c).rowwise().sum();
        }
        if (l == 0 && oneHot) {
          for (long k = 0; k < cols; ++k) g.W_ih.col(in.tokens[k]) += dZ.col(k);
        } else {
          g.W_ih.noalias() = dZ * tape.layerInput[l].transpose();
        }
        g.b_ih = dZ.rowwise().sum();
        g.b_hh = g.b_ih;
      }
      if (needInputGrad) {
        if (dX.size() == 0) {
          dX.resize(w.W_ih.cols(), cols);
          adviseHugePages(dX);
          dX.noalias() = w.W_ih.transpose() * dZ;
        } else
          dX.noalias() += w.W_ih.transpose() * dZ;
      }
    }
    if (const Mat<T>& skip = dHead[static_cast<size_t>(l)]; skip.size())  // a pooling head's skip connection
      dX.size() ? void(dX += skip) : void(dX = skip);
    dOut = std::move(dX);
  }
  if (opt.weightGradients && arch.hasEmbedding)
    for (long k = 0; k < cols; ++k) out.params.embedding.col(in.tokens[k]) += dOut.col(k);
  if (opt.inputGradients) out.dInput = std::move(dOut);
}

template void backward<float>(const Network<float>&, const Inputs<float>&, const Tape<float>&, const Adjoints<float>&,
                              const BackwardOptions&, Gradients<float>&);
template void backward<double>(const Network<double>&, const Inputs<double>&, const Tape<double>&,
                               const Adjoints<double>&, const BackwardOptions&, Gradients<double>&);

}  // namespace lstmscope
