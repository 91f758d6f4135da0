#include "core/attribution/all_targets.h"

#include <algorithm>
#include <numeric>

#include "core/common/error.h"
#include "core/engine/derivatives.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

// Adjoints of many targets at once: one (rows, K) matrix per step, column k for target k.
using StepAdjoints = std::vector<Mat<double>>;

// Bytes of adjoints one chunk of targets may hold per layer (above and below it at once).
constexpr double kChunkBytes = 128e6;

// Backward through one direction of one layer for K targets. `stepsOf` holds the targets' output steps in
// ascending order; when `causal`, a target's adjoints are zero after its step, so step t only works on
// the columns of targets at t or later. Adds d target / d layer input to `below`.
void throughTimeMany(const LayerSpec& spec, const DirectionParams<double>& w, const DirectionTape<double>& dt,
                     bool backwardInTime, const StepAdjoints& above, long rowOffset, const std::vector<long>& stepsOf,
                     bool causal, StepAdjoints& below) {
  const long H = spec.hidden, T = static_cast<long>(above.size()), K = static_cast<long>(stepsOf.size());
  Mat<double> dh = Mat<double>::Zero(H, K), dc = Mat<double>::Zero(H, K), dZ(4 * H, K);
  const Vec<double>* peep = spec.peepholes ? &w.peephole : nullptr;
  for (long s = T - 1; s >= 0; --s) {
    const long t = backwardInTime ? T - 1 - s : s, prev = backwardInTime ? t + 1 : t - 1;
    const long first = causal ? std::lower_bound(stepsOf.begin(), stepsOf.end(), t) - stepsOf.begin() : 0;
    const long n = K - first;
    if (n == 0) continue;
    auto dhA = dh.rightCols(n), dcA = dc.rightCols(n);
    auto z = dZ.rightCols(n);
    dhA += above[static_cast<size_t>(t)].middleRows(rowOffset, H).rightCols(n);
    const auto cPrev = s == 0 ? dt.initial.c.col(0) : dt.c.col(prev);
    // Per-unit factors of this step, shared by every target's column.
    const StepFactors<double> k = stepFactors<double>(spec, dt, t, 1, cPrev);
    z.bottomRows(H) = (dhA.array().colwise() * k.toO.col(0).array()).matrix();
    dcA += (dhA.array().colwise() * k.toCell.col(0).array()).matrix();
    if (peep) dcA += (z.bottomRows(H).array().colwise() * peep->segment(2 * H, H).array()).matrix();  // o read c_t
    z.topRows(H) = (dcA.array().colwise() * k.toI.col(0).array()).matrix();
    z.middleRows(H, H) = (dcA.array().colwise() * k.toF.col(0).array()).matrix();
    z.middleRows(2 * H, H) = (dcA.array().colwise() * k.toG.col(0).array()).matrix();
    dcA = (dcA.array().colwise() * dt.gates.col(t).segment(H, H).array()).matrix();
    if (peep) {  // i and f read c_{t-1}
      dcA += (z.topRows(H).array().colwise() * peep->segment(0, H).array()).matrix();
      dcA += (z.middleRows(H, H).array().colwise() * peep->segment(H, H).array()).matrix();
    }
    dhA.noalias() = w.W_hh.transpose() * z;
    below[static_cast<size_t>(t)].rightCols(n).noalias() += w.W_ih.transpose() * z;
  }
}

// d target / d (what the head reads at the target's step), one column per target.
Mat<double> throughHead(const Network<double>& net, const Tape<double>& tape,
                        const std::vector<AttributionTarget>& ts) {
  const auto& pre = net.params.headPre;
  Mat<double> out(net.arch.lastOutputWidth(), static_cast<long>(ts.size()));
  for (size_t k = 0; k < ts.size(); ++k) {
    Vec<double> d = net.params.head.weight.row(ts[k].output).transpose();
    for (size_t p = pre.size(); p-- > 0;) {
      const auto y = tape.headInputs[p + 1].col(ts[k].step);
      for (long e = 0; e < d.size(); ++e) d(e) *= denseDerivative(net.arch.head->preActivations[p], y(e));
      d = pre[p].weight.transpose() * d;
    }
    out.col(static_cast<long>(k)) = d;
  }
  return out;
}

void checkTargets(const Network<double>& net, long steps, const std::vector<AttributionTarget>& targets) {
  if (!net.arch.head || net.arch.head->reads != HeadReads::EachStep)
    throw InputError("the all-targets matrix needs a model that predicts at every step; this one predicts once");
  for (const AttributionTarget& t : targets) {
    if (t.kind != TargetKind::Logit) throw InputError("the all-targets matrix attributes logits, not state units");
    validateTarget(net, steps, t);
  }
}

}  // namespace

std::vector<AttributionTarget> defaultTargetsOfEveryStep(const Network<double>& net, const Inputs<double>& tokens) {
  const Network<double> vectors = onInputVectors(net);
  if (!net.arch.head || net.arch.head->reads != HeadReads::EachStep)
    throw InputError("the model predicts once per text, not at every step");
  Inputs<double> in;
  in.steps = tokens.steps;
  in.features = inputVectors(net, tokens);
  Tape<double> tape;
  forward(vectors, in, tape);
  const bool nextToken = net.arch.predictsNextToken(net.headOutputs());
  std::vector<AttributionTarget> out(static_cast<size_t>(tokens.steps));
  for (long t = 0; t < tokens.steps; ++t) {
    AttributionTarget& target = out[static_cast<size_t>(t)];
    target.step = t;
    if (nextToken && t + 1 < tokens.steps)
      target.output = tokens.tokens[static_cast<size_t>(t + 1)];
    else
      tape.logits.col(t).maxCoeff(&target.output);
  }
  return out;
}

TargetMatrix allTargetsMatrix(const Network<double>& net, const Mat<double>& x,
                              const std::vector<AttributionTarget>& targets, MatrixMethod method,
                              const ProgressCallbacks& callbacks, long chunkTargets) {
  const long T = x.cols();
  checkTargets(net, T, targets);
  Inputs<double> in;
  in.steps = static_cast<int>(T);
  in.features = x;
  Tape<double> tape;
  forward(net, in, tape);

  TargetMatrix result{targets, Mat<double>::Zero(static_cast<long>(targets.size()), T)};
  std::vector<size_t> order(targets.size());  // targets by step: the causal skip needs ascending steps
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return targets[a].step < targets[b].step; });
  const bool causal = !net.arch.looksAhead();
  long widest = x.rows();
  for (const LayerSpec& l : net.arch.layers) widest = std::max<long>(widest, l.outputWidth());
  const long chunk =
      chunkTargets > 0 ? chunkTargets : std::clamp<long>(static_cast<long>(kChunkBytes / (16.0 * widest * T)), 8, 512);
  const int L = static_cast<int>(net.arch.layers.size());
  const long chunks = (static_cast<long>(targets.size()) + chunk - 1) / chunk;
  for (long c = 0; c < chunks; ++c) {
    const size_t begin = static_cast<size_t>(c * chunk),
                 end = std::min(order.size(), begin + static_cast<size_t>(chunk));
    std::vector<AttributionTarget> ts;
    std::vector<long> stepsOf;
    for (size_t k = begin; k < end; ++k) ts.push_back(targets[order[k]]), stepsOf.push_back(targets[order[k]].step);
    const long K = static_cast<long>(ts.size());
    StepAdjoints above(static_cast<size_t>(T), Mat<double>::Zero(net.arch.lastOutputWidth(), K));
    const Mat<double> head = throughHead(net, tape, ts);
    for (long k = 0; k < K; ++k) above[static_cast<size_t>(stepsOf[k])].col(k) = head.col(k);
    for (int l = L - 1; l >= 0; --l) {
      checkCancelled(callbacks);
      const LayerSpec& spec = net.arch.layers[static_cast<size_t>(l)];
      const long inputWidth = l == 0 ? x.rows() : net.arch.layers[static_cast<size_t>(l - 1)].outputWidth();
      StepAdjoints below(static_cast<size_t>(T), Mat<double>::Zero(inputWidth, K));
      for (int d = 0; d < spec.directions(); ++d)
        throughTimeMany(spec, net.params.lstm[l][d], tape.layers[l][d], spec.runsBackward(d), above, d * spec.hidden,
                        stepsOf, causal, below);
      above = std::move(below);
      reportProgress(callbacks, c * L + (L - l), chunks * L);
    }
    for (long k = 0; k < K; ++k) {
      auto row = result.values.row(static_cast<long>(order[begin + static_cast<size_t>(k)]));
      for (long t = 0; t < T; ++t) {
        const auto grad = above[static_cast<size_t>(t)].col(k);
        row(t) = method == MatrixMethod::Saliency ? grad.norm() : grad.dot(x.col(t));
      }
    }
  }
  return result;
}

}  // namespace lstmscope
