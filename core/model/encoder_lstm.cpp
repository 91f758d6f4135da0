#include "core/model/encoder_lstm.h"

#include <algorithm>

#include "core/model/step_activations.h"

namespace lstmscope {

namespace {

// f applied to every value of v (linear: unchanged).
template <class V>
void applyEach(StepActivationFunction f, bool keras3, V&& v) {
  if (f)
    for (long u = 0; u < v.size(); ++u) v(u) = f(v(u), keras3);
}

// f' at every value of z (linear: ones).
Eigen::VectorXd derivativeAt(StepActivationFunction d, bool keras3, const Eigen::VectorXd& z) {
  if (!d) return Eigen::VectorXd::Ones(z.size());
  Eigen::VectorXd out(z.size());
  for (long u = 0; u < z.size(); ++u) out(u) = d(z(u), keras3);
  return out;
}

Eigen::VectorXd activated(StepActivationFunction f, bool keras3, Eigen::VectorXd v) {
  applyEach(f, keras3, v);
  return v;
}

}  // namespace

Eigen::MatrixXd runEncoderLstm(const StepLayer& s, const Eigen::MatrixXd& x, EncoderTape* tape) {
  const long H = s.recurrent.cols(), T = x.cols();
  const bool keras3 = s.generation >= 3;
  const StepActivationFunction gate = stepActivation(s.gateActivation), cell = stepActivation(s.activation);
  Eigen::MatrixXd inputs = s.weight * x;  // every step's W x_t at once
  inputs.colwise() += s.bias;
  if (tape) tape->preActivations.resize(4 * H, T), tape->cells.resize(H, T), tape->hidden.resize(H, T);
  Eigen::VectorXd h = Eigen::VectorXd::Zero(H), c = Eigen::VectorXd::Zero(H);
  Eigen::MatrixXd out(H, s.returnSequences ? T : std::min(T, 1L));
  for (long t = 0; t < T; ++t) {
    const Eigen::VectorXd z = inputs.col(t) + s.recurrent * h;
    if (tape) tape->preActivations.col(t) = z;
    const Eigen::VectorXd i = activated(gate, keras3, z.segment(0, H)), f = activated(gate, keras3, z.segment(H, H)),
                          g = activated(cell, keras3, z.segment(2 * H, H)),
                          o = activated(gate, keras3, z.segment(3 * H, H));
    c = f.cwiseProduct(c) + i.cwiseProduct(g);
    if (tape) tape->cells.col(t) = c;
    h = o.cwiseProduct(activated(cell, keras3, c));
    if (tape) tape->hidden.col(t) = h;
    if (s.returnSequences) out.col(t) = h;
  }
  if (!s.returnSequences && T > 0) out.col(0) = h;
  return out;
}

Eigen::MatrixXd encoderLstmBackward(const StepLayer& s, const Eigen::MatrixXd& x, const EncoderTape& tape,
                                    const Eigen::MatrixXd& gradOutput) {
  const long H = s.recurrent.cols(), T = x.cols();
  const bool keras3 = s.generation >= 3;
  const StepActivationFunction gate = stepActivation(s.gateActivation), cell = stepActivation(s.activation);
  const StepActivationFunction gateSlope = stepActivationDerivative(s.gateActivation),
                               cellSlope = stepActivationDerivative(s.activation);
  Eigen::MatrixXd gradX = Eigen::MatrixXd::Zero(x.rows(), T);
  Eigen::VectorXd dhNext = Eigen::VectorXd::Zero(H), dcNext = Eigen::VectorXd::Zero(H);
  for (long t = T - 1; t >= 0; --t) {
    Eigen::VectorXd dh = dhNext;
    if (s.returnSequences)
      dh += gradOutput.col(t);
    else if (t == T - 1)
      dh += gradOutput.col(0);
    const Eigen::VectorXd z = tape.preActivations.col(t), c = tape.cells.col(t);
    const Eigen::VectorXd cPrev = t > 0 ? Eigen::VectorXd(tape.cells.col(t - 1)) : Eigen::VectorXd::Zero(H);
    const Eigen::VectorXd i = activated(gate, keras3, z.segment(0, H)), f = activated(gate, keras3, z.segment(H, H)),
                          g = activated(cell, keras3, z.segment(2 * H, H)),
                          o = activated(gate, keras3, z.segment(3 * H, H));
    const Eigen::VectorXd dc = dcNext + dh.cwiseProduct(o).cwiseProduct(derivativeAt(cellSlope, keras3, c));
    Eigen::VectorXd dz(4 * H);
    dz.segment(0, H) = dc.cwiseProduct(g).cwiseProduct(derivativeAt(gateSlope, keras3, z.segment(0, H)));
    dz.segment(H, H) = dc.cwiseProduct(cPrev).cwiseProduct(derivativeAt(gateSlope, keras3, z.segment(H, H)));
    dz.segment(2 * H, H) = dc.cwiseProduct(i).cwiseProduct(derivativeAt(cellSlope, keras3, z.segment(2 * H, H)));
    dz.segment(3 * H, H) =
        dh.cwiseProduct(activated(cell, keras3, c)).cwiseProduct(derivativeAt(gateSlope, keras3, z.segment(3 * H, H)));
    gradX.col(t).noalias() = s.weight.transpose() * dz;
    dhNext.noalias() = s.recurrent.transpose() * dz;
    dcNext = dc.cwiseProduct(f);
  }
  return gradX;
}

std::vector<EncoderStates> encoderStates(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& raw) {
  std::vector<EncoderStates> out;
  Eigen::MatrixXd x = raw;
  for (const StepLayer& s : chain) {
    if (s.kind != StepLayer::Kind::Recurrent) {
      x = applyStepLayer(s, x);
      continue;
    }
    EncoderTape tape;
    x = runEncoderLstm(s, x, &tape);
    out.push_back({s.name, std::move(tape.hidden), std::move(tape.cells)});
  }
  return out;
}

}  // namespace lstmscope
