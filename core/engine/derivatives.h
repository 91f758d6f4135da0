// Element-wise derivatives of the LSTM's nonlinearities, from their outputs (what the tape keeps):
// shared by backward through time and the all-targets attribution pass.
#pragma once

#include "core/model/model.h"

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

}  // namespace lstmscope
