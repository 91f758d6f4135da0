// One LSTM step for a range of units, shared by the single-threaded and the split-across-cores forward.
#pragma once

#include "core/engine/unit_edit.h"
#include "core/model/model.h"

namespace lstmscope::kernels {

// The recurrent weights of units [u0, u0 + n): rows i, f, g, o of those units stacked into one
// contiguous (4n, H) matrix, so that a thread streams only its own block.
template <class T>
Mat<T> packRecurrentRows(const Mat<T>& W_hh, long H, long u0, long n) {
  Mat<T> packed(4 * n, W_hh.cols());
  for (long g = 0; g < 4; ++g) packed.middleRows(g * n, n) = W_hh.middleRows(g * H + u0, n);
  return packed;
}

template <class T, class Rows>
void applyGate(GateActivation a, Rows&& rows) {
  switch (a) {
    case GateActivation::Sigmoid:
      rows.array() = rows.array().logistic();
      break;
    case GateActivation::HardSigmoid:
      rows.array() = (rows.array() * T(0.2) + T(0.5)).cwiseMax(T(0)).cwiseMin(T(1));
      break;
    case GateActivation::HardSigmoidKeras3:
      rows.array() = (rows.array() / T(6) + T(0.5)).cwiseMax(T(0)).cwiseMin(T(1));
      break;
  }
}

template <class T, class Rows>
void applyCell(CellActivation a, Rows&& rows) {
  switch (a) {
    case CellActivation::Tanh:
      rows.array() = rows.array().tanh();
      break;
    case CellActivation::Relu:
      rows.array() = rows.array().cwiseMax(T(0));
      break;
    case CellActivation::Linear:
      break;
  }
}

// Where one step of one direction reads and writes, for a batch of B columns.
template <class T>
struct StepBuffers {
  using Columns = Eigen::Block<Mat<T>, Eigen::Dynamic, Eigen::Dynamic, true>;  // a range of whole columns
  using ConstColumns = Eigen::Block<const Mat<T>, Eigen::Dynamic, Eigen::Dynamic, true>;
  Columns z;           // (4H, B): input projection in, gate activations out
  ConstColumns hPrev;  // (H, B)
  ConstColumns cPrev;  // (H, B)
  Columns c, h;        // (H, B) out
  Mat<T>* preact;      // (4H, B) block target or null; with a clip it holds the sums before clipping
  long preactCol;
  const Vec<T>* peephole;  // (3H) i, f, o or null
  // Interventions active at this step (docs/INTERVENTIONS.md), or none.
  const UnitEdit* edits = nullptr;
  int editCount = 0;
};

// Applies the step's edits of `slot` to rows [u0, u0 + n) of that slot (`rows` is (n, B)).
template <class T, class Rows>
void applyEdits(const StepBuffers<T>& s, EditSlot slot, long u0, long n, Rows&& rows) {
  for (int k = 0; k < s.editCount; ++k) {
    const UnitEdit& e = s.edits[k];
    if (e.slot != slot || e.unit < u0 || e.unit >= u0 + n) continue;
    auto row = rows.row(e.unit - u0);
    const T v = static_cast<T>(e.value);
    if (e.column >= 0) {
      T& x = row(e.column);
      x = e.add ? x + v : v;
    } else if (e.add) {
      row.array() += v;
    } else {
      row.setConstant(v);
    }
  }
}

// Finishes gate block `g` (0..3 = i, f, g, o) of units [u0, u0 + n): keeps the pre-activation, clips it,
// applies the nonlinearity.
template <class T, class Rows>
void finishGate(const LayerSpec& spec, int g, long u0, StepBuffers<T>& s, Rows&& rows) {
  const long H = spec.hidden;
  if (s.preact) s.preact->block(g * H + u0, s.preactCol, rows.rows(), rows.cols()) = rows;
  if (spec.clip > 0) rows.array() = rows.array().cwiseMax(T(-spec.clip)).cwiseMin(T(spec.clip));
  if (g == 2)
    applyCell<T>(spec.cell, rows);
  else
    applyGate<T>(spec.gate, rows);
}

// Finishes the step for units [u0, u0 + n) once z holds their whole pre-activations (input projection,
// bias and recurrence): peepholes, nonlinearities, edits, c and h.
template <class T>
void finishUnits(const LayerSpec& spec, long u0, long n, StepBuffers<T>& s) {
  const long H = spec.hidden;
  const auto cPrev = s.cPrev.middleRows(u0, n).array();
  if (s.peephole) {  // i and f look at c_{t-1}
    s.z.middleRows(u0, n).array() += cPrev.colwise() * s.peephole->segment(u0, n).array();
    s.z.middleRows(H + u0, n).array() += cPrev.colwise() * s.peephole->segment(H + u0, n).array();
  }
  for (int g = 0; g < 3; ++g) finishGate<T>(spec, g, u0, s, s.z.middleRows(g * H + u0, n));
  // Interventions replace a gate after its nonlinearity and before c; a coupled f follows the replaced i.
  if (s.editCount) applyEdits(s, EditSlot::I, u0, n, s.z.middleRows(u0, n));
  if (spec.coupledForget) s.z.middleRows(H + u0, n).array() = T(1) - s.z.middleRows(u0, n).array();
  if (s.editCount) {
    applyEdits(s, EditSlot::F, u0, n, s.z.middleRows(H + u0, n));
    applyEdits(s, EditSlot::G, u0, n, s.z.middleRows(2 * H + u0, n));
  }
  const auto i = s.z.middleRows(u0, n).array();
  const auto f = s.z.middleRows(H + u0, n).array();
  const auto g = s.z.middleRows(2 * H + u0, n).array();
  auto c = s.c.middleRows(u0, n);
  c.array() = f * cPrev + i * g;
  if (s.editCount) applyEdits(s, EditSlot::C, u0, n, c);  // o's peephole and h see the replaced c
  auto oRows = s.z.middleRows(3 * H + u0, n);
  if (s.peephole) oRows.array() += c.array().colwise() * s.peephole->segment(2 * H + u0, n).array();  // o sees c_t
  finishGate<T>(spec, 3, u0, s, oRows);
  if (s.editCount) applyEdits(s, EditSlot::O, u0, n, oRows);
  const auto o = oRows.array();
  auto h = s.h.middleRows(u0, n);
  switch (spec.cell) {
    case CellActivation::Tanh:
      h.array() = o * c.array().tanh();
      break;
    case CellActivation::Relu:
      h.array() = o * c.array().cwiseMax(T(0));
      break;
    case CellActivation::Linear:
      h.array() = o * c.array();
      break;
  }
  if (s.editCount) applyEdits(s, EditSlot::H, u0, n, h);  // the next step, the next layer and the head read it
}

}  // namespace lstmscope::kernels
