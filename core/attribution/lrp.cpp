#include "core/attribution/lrp.h"

#include <cmath>

#include "core/common/error.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

using Column = Vec<double>;

// z + epsilon * sgn(z), with sgn(0) = +1 (ATTRIBUTION.md).
Column stabilised(const Column& z, double epsilon) {
  return z.unaryExpr([epsilon](double v) { return v + (v >= 0 ? epsilon : -epsilon); });
}

// The epsilon-rule for z = W a + b (z the full pre-activation, every source and the bias), written as
// R(a_i) = a_i * (W^T s)_i + share with s_j = R(z_j) / (z_j + eps sgn z_j): every one of the `sources`
// lower units also gets share = biasFactor * sum_j (b_j + eps sgn z_j) s_j / sources.
struct EpsilonRule {
  Column s;
  double share = 0;
};
EpsilonRule epsilonRule(const Column& z, const Column& bias, const Column& relevance, long sources,
                        const LrpOptions& o) {
  EpsilonRule r;
  r.s = relevance.cwiseQuotient(stabilised(z, o.epsilon));
  if (o.biasFactor != 0) {
    const Column epsilonShare = z.unaryExpr([&o](double v) { return v >= 0 ? o.epsilon : -o.epsilon; });
    r.share = o.biasFactor * (bias + epsilonShare).dot(r.s) / static_cast<double>(sources);
  }
  return r;
}

// Relevance through the head (its hidden dense layers and the output layer) for a logit target: returns
// the relevance of what the head reads (one column).
Column throughHead(const Network<double>& net, const Tape<double>& tape, const AttributionTarget& target, double score,
                   const LrpOptions& o) {
  const auto& pre = net.params.headPre;
  const long column = net.arch.head->perSequence() ? 0 : target.step;
  Column relevance = Column::Zero(net.headOutputs());
  relevance(target.output) = score;
  for (size_t k = pre.size() + 1; k-- > 0;) {
    const DenseParams<double>& layer = k == pre.size() ? net.params.head : pre[k];
    const Column a = tape.headInputs[k].col(column);
    // Element-wise activations pass relevance through unchanged; the rule needs the pre-activation.
    const Column z = layer.weight * a + layer.bias;
    const EpsilonRule r = epsilonRule(z, layer.bias, relevance, a.size(), o);
    relevance = a.cwiseProduct(layer.weight.transpose() * r.s).array() + r.share;
  }
  return relevance;
}

// Relevance of the last LSTM layer's outputs (2H if bidirectional, T) from the relevance of what the
// head reads.
Mat<double> headInputToLayerOutputs(const Network<double>& net, const Column& relevance,
                                    const AttributionTarget& target, long steps) {
  const LayerSpec& last = net.arch.layers.back();
  Mat<double> out = Mat<double>::Zero(last.outputWidth(), steps);
  if (net.arch.head->reads == HeadReads::EachStep) {
    out.col(target.step) = relevance;
  } else {  // final states: fwd at the last step, bwd at step 0
    const long H = last.hidden;
    for (int d = 0; d < last.directions(); ++d)
      out.col(last.finalStep(d, steps)).middleRows(d * H, H) = relevance.middleRows(d * H, H);
  }
  return out;
}

struct DirectionRelevance {
  Mat<double> h, c;         // relevance of h_t and c_t (H, T)
  Mat<double> input;        // relevance of this direction's share of the layer input (D_in, T)
  double initialState = 0;  // reaching h_0 and c_0
};

// Backwards through one direction of one layer. `fromAbove` is the relevance of h_t from the layer above
// or the head; `cellSeed` (optional) starts relevance directly on cells (a cell target).
DirectionRelevance throughTime(const LayerSpec& spec, const DirectionParams<double>& w, const DirectionTape<double>& dt,
                               bool backwardInTime, const Mat<double>& input, const Mat<double>& fromAbove,
                               const Mat<double>* cellSeed, const LrpOptions& o) {
  const long H = spec.hidden, T = fromAbove.cols(), D = input.rows();
  const Column gBias = (w.b_ih + w.b_hh).segment(2 * H, H);
  const Mat<double> gRecurrent = w.W_hh.middleRows(2 * H, H);
  DirectionRelevance out;
  out.h.resize(H, T), out.c.resize(H, T);
  Mat<double> gRatios(H, T);  // s of g's epsilon-rule at every step, for the input part done in one product
  Column gShares(T);
  Column hFromNext = Column::Zero(H), cFromNext = Column::Zero(H);
  for (long s = T - 1; s >= 0; --s) {
    const long t = backwardInTime ? T - 1 - s : s, prev = backwardInTime ? t + 1 : t - 1;
    const bool first = s == 0;
    const Column rh = fromAbove.col(t) + hFromNext;
    Column rc = cFromNext + rh;  // h_t = o * act(c_t): all of h's relevance goes to c_t
    if (cellSeed) rc += cellSeed->col(t);
    out.h.col(t) = rh, out.c.col(t) = rc;

    // c_t = f * c_{t-1} + i * g: identity weights, no bias, 2H sources.
    const auto gates = dt.gates.col(t);
    const Column cPrev = first ? Column(dt.initial.c.col(0)) : Column(dt.c.col(prev));
    const EpsilonRule cell = epsilonRule(dt.c.col(t), Column::Zero(H), rc, 2 * H, o);
    cFromNext = gates.segment(H, H).cwiseProduct(cPrev).cwiseProduct(cell.s).array() + cell.share;
    const Column rg =
        gates.segment(0, H).cwiseProduct(gates.segment(2 * H, H)).cwiseProduct(cell.s).array() + cell.share;

    // g = act(z_g), z_g = W_ih^g x_t + W_hh^g h_{t-1} + b^g: H + D sources.
    const EpsilonRule g = epsilonRule(dt.preact.col(t).segment(2 * H, H), gBias, rg, H + D, o);
    const Column hPrev = first ? Column(dt.initial.h.col(0)) : Column(dt.h.col(prev));
    hFromNext = hPrev.cwiseProduct(gRecurrent.transpose() * g.s).array() + g.share;
    gRatios.col(t) = g.s, gShares(t) = g.share;
  }
  out.initialState = hFromNext.sum() + cFromNext.sum();
  out.input = input.cwiseProduct(w.W_ih.middleRows(2 * H, H).transpose() * gRatios);
  out.input.rowwise() += gShares.transpose();
  return out;
}

}  // namespace

double LrpResult::conservationError() const {
  return tokens.score - (tokens.perToken.sum() + initialStateRelevance);
}

LrpResult layerwiseRelevance(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target,
                             const LrpOptions& options) {
  if (!(options.epsilon >= 0) || !std::isfinite(options.epsilon) || !std::isfinite(options.biasFactor))
    throw InputError("LRP needs a finite epsilon >= 0 and a finite bias factor");
  validateTarget(net, x.cols(), target);
  if (target.kind == TargetKind::Logit && net.arch.head && net.arch.head->pools())
    throw InputError("LRP does not pass relevance through a head that pools over time (" + describeHeadInput(net.arch) +
                     "); use gradient x input or integrated gradients");
  const long T = x.cols();
  Inputs<double> in;
  in.steps = static_cast<int>(T);
  in.features = x;
  Tape<double> tape;
  ForwardOptions fo;
  fo.keepPreactivations = true;
  forward(net, in, tape, fo);

  LrpResult result;
  result.tokens.score = targetValue(net, tape, target);
  const int L = static_cast<int>(net.arch.layers.size());
  const bool logit = target.kind == TargetKind::Logit;
  const int top = logit ? L - 1 : target.layer;
  Mat<double> fromAbove;  // relevance of layer l's outputs (both directions stacked)
  if (logit) {
    const Column head = throughHead(net, tape, target, result.tokens.score, options);
    result.flows.push_back({"head", result.tokens.score, head.sum(), 0});
    fromAbove = headInputToLayerOutputs(net, head, target, T);
  } else {
    fromAbove = Mat<double>::Zero(net.arch.layers[static_cast<size_t>(top)].outputWidth(), T);
  }
  result.units.h.resize(static_cast<size_t>(L)), result.units.c.resize(static_cast<size_t>(L));
  for (int l = L - 1; l >= 0; --l) {
    const LayerSpec& spec = net.arch.layers[static_cast<size_t>(l)];
    const long H = spec.hidden;
    const Mat<double>& input = tape.layerInput[static_cast<size_t>(l)];
    if (l > top) {  // above a state target: no relevance
      for (int d = 0; d < spec.directions(); ++d)
        result.units.h[l].push_back(Mat<double>::Zero(H, T)), result.units.c[l].push_back(Mat<double>::Zero(H, T));
      continue;
    }
    RelevanceFlow flow{"layer " + std::to_string(l + 1), fromAbove.sum(), 0, 0};
    Mat<double> toInput = Mat<double>::Zero(input.rows(), T);
    for (int d = 0; d < spec.directions(); ++d) {
      Mat<double> seed, hidden = fromAbove.middleRows(d * H, H);
      const bool seeded = !logit && l == target.layer && d == target.direction;
      if (seeded) {
        const double value = targetValue(net, tape, target);
        if (target.kind == TargetKind::Hidden)
          hidden(target.unit, target.step) += value;
        else
          seed = Mat<double>::Zero(H, T), seed(target.unit, target.step) = value;
        flow.received += value;
      }
      DirectionRelevance r = throughTime(spec, net.params.lstm[l][d], tape.layers[l][d], spec.runsBackward(d), input,
                                         hidden, seed.size() ? &seed : nullptr, options);
      toInput += r.input;
      flow.initialState += r.initialState;
      result.units.h[l].push_back(std::move(r.h)), result.units.c[l].push_back(std::move(r.c));
    }
    flow.passedOn = toInput.sum();
    result.initialStateRelevance += flow.initialState;
    result.flows.push_back(flow);
    fromAbove = std::move(toInput);
  }
  result.tokens.perDimension = std::move(fromAbove);
  result.tokens.perToken = result.tokens.perDimension.colwise().sum().transpose();
  return result;
}

}  // namespace lstmscope
