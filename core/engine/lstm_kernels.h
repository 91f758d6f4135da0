// Element-wise pieces of one LSTM step shared by the forward and backward passes.
#pragma once

#include "core/model/model.h"

namespace lstmscope::kernels {

// In place: rows [0,H) i, [H,2H) f, [3H,4H) o through the gate nonlinearity, [2H,3H) g through the
// cell nonlinearity. `z` is a (4H, B) block of pre-activations.
template <class T, class Block>
void activateGates(const LayerSpec& spec, Block&& z) {
  const long H = spec.hidden;
  auto gate = [&](auto&& rows) {
    switch (spec.gate) {
      case GateActivation::Sigmoid: rows.array() = rows.array().logistic(); break;
      case GateActivation::HardSigmoid:
        rows.array() = (rows.array() * T(0.2) + T(0.5)).cwiseMax(T(0)).cwiseMin(T(1));
        break;
      case GateActivation::HardSigmoidKeras3:
        rows.array() = (rows.array() / T(6) + T(0.5)).cwiseMax(T(0)).cwiseMin(T(1));
        break;
    }
  };
  gate(z.topRows(2 * H));
  gate(z.bottomRows(H));
  auto g = z.middleRows(2 * H, H);
  switch (spec.cell) {
    case CellActivation::Tanh: g.array() = g.array().tanh(); break;
    case CellActivation::Relu: g.array() = g.array().cwiseMax(T(0)); break;
    case CellActivation::Linear: break;
  }
}

}  // namespace lstmscope::kernels
