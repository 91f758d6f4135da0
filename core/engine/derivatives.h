// Element-wise derivatives of the LSTM's nonlinearities, from their outputs (what the tape keeps):
// shared by backward through time and the all-targets attribution pass.
#pragma once

#include "core/engine/tape.h"

namespace lstmscope {

// d gate / d pre-activation from the gate outputs `y`, element-wise.
template <class T, class A>
Mat<T> gateDerivatives(GateActivation a, const A& y) {
  switch (a) {
    case GateActivation::Sigmoid:
      return (y * (T(1) - y)).matrix();
    case GateActivation::HardSigmoid:
      return ((y > T(0)) && (y < T(1))).template cast<T>().matrix() * T(0.2);
    case GateActivation::HardSigmoidKeras3:
      return ((y > T(0)) && (y < T(1))).template cast<T>().matrix() / T(6);
  }
  return {};
}

// d act / d x from act's outputs `y` (for tanh 1 - y^2).
template <class T, class A>
Mat<T> cellDerivatives(CellActivation a, const A& y) {
  switch (a) {
    case CellActivation::Tanh:
      return (T(1) - y.square()).matrix();
    case CellActivation::Relu:
      return (y > T(0)).template cast<T>().matrix();
    case CellActivation::Linear:
      return Mat<T>::Ones(y.rows(), y.cols());
  }
  return {};
}

template <class T, class A>
Mat<T> cellActivations(CellActivation a, const A& c) {
  switch (a) {
    case CellActivation::Tanh:
      return c.tanh().matrix();
    case CellActivation::Relu:
      return c.cwiseMax(T(0)).matrix();
    case CellActivation::Linear:
      return c.matrix();
  }
  return {};
}

// What one step of backward through an LSTM direction multiplies by, from what the tape holds; each
// (H, B). Shared by backward through time and the all-targets pass so both differentiate the same cell.
template <class T>
struct StepFactors {
  Mat<T> toCell;         // d h_t / d c_t through the cell activation: o * act'(c_t)
  Mat<T> toI, toF, toG;  // d c_t / d pre-activation of i, f, g
  Mat<T> toO;            // d h_t / d pre-activation of o
};

// Factors of columns [col, col + B) of a direction's tape; `cPrev` (H, B) is the cell state before them.
template <class T>
StepFactors<T> stepFactors(const LayerSpec& spec, const DirectionTape<T>& dt, long col, long B,
                           const Eigen::Ref<const Mat<T>>& cPrev) {
  const auto gates = dt.gates.middleCols(col, B);
  const auto c = dt.c.middleCols(col, B);
  const long H = spec.hidden;
  const auto i = gates.topRows(H).array(), f = gates.middleRows(H, H).array(), g = gates.middleRows(2 * H, H).array(),
             o = gates.bottomRows(H).array();
  const Mat<T> tc = cellActivations<T>(spec.cell, c.array());
  StepFactors<T> out;
  out.toCell = (o * cellDerivatives<T>(spec.cell, tc.array()).array()).matrix();
  if (spec.coupledForget) {  // c = (1 - i) c_{t-1} + i g: i also acts through f; f's own sum does nothing
    out.toI = ((g - cPrev.array()) * gateDerivatives<T>(spec.gate, i).array()).matrix();
    out.toF = Mat<T>::Zero(H, gates.cols());
  } else {
    out.toI = (g * gateDerivatives<T>(spec.gate, i).array()).matrix();
    out.toF = (cPrev.array() * gateDerivatives<T>(spec.gate, f).array()).matrix();
  }
  out.toG = (i * cellDerivatives<T>(spec.cell, g).array()).matrix();
  out.toO = (tc.array() * gateDerivatives<T>(spec.gate, o).array()).matrix();
  if (spec.clip > 0) {
    const auto inside = [&](int block) {
      // The tape keeps the sums before the clip whenever a layer clips (forward.cpp).
      return (dt.preact.block(block * H, col, H, B).array().abs() <= T(spec.clip)).template cast<T>();
    };
    out.toI.array() *= inside(0);
    out.toF.array() *= inside(1);
    out.toG.array() *= inside(2);
    out.toO.array() *= inside(3);
  }
  return out;
}

}  // namespace lstmscope
