// Coordinate descent for the L1 probes (sparse_probe.cpp): sweeps, and the "polish" jumps to the exact
// minimiser of an L1 problem's quadratic for the current signs of its coordinates.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/model/model.h"

namespace lstmscope {

inline double softThreshold(double v, double t) {
  return v > t ? v - t : v < -t ? v + t : 0.0;
}

// Cyclic coordinate descent: update(j) moves coordinate j to its best value and returns the change. Sweeps
// over every coordinate alternate with up to 30 sweeps over the non-zero ones (`active`), after which
// polish() may jump to the exact minimiser for the current signs (coordinate descent alone crawls when the
// curvature is ill-conditioned, as near-separable logistic probes make it), until a sweep over every
// coordinate changes none by more than `tolerance()`.
template <class Update, class Active, class Tolerance, class Polish>
void coordinateDescent(long coordinates, const Update& update, const Active& active, const Tolerance& tolerance,
                       const Polish& polish) {
  constexpr int kRounds = 2000, kActiveSweeps = 30;
  for (int round = 0; round < kRounds; ++round) {
    double largest = 0;
    for (long j = 0; j < coordinates; ++j) largest = std::max(largest, std::abs(update(j)));
    if (largest <= tolerance()) return;
    for (int sweep = 0; sweep < kActiveSweeps; ++sweep) {
      double activeLargest = 0;
      for (long j = 0; j < coordinates; ++j)
        if (active(j)) activeLargest = std::max(activeLargest, std::abs(update(j)));
      if (activeLargest <= tolerance()) break;
    }
    polish();
  }
}

// The minimiser of z^T H z / 2 - z . rhs over the coordinates `free` (the others held where they are, their
// pull already in rhs); false when H is not positive definite there (a singular H_FF would give a point that
// is not the minimiser). With the signs of the non-zero coordinates fixed, |z|_1 is linear and the L1
// problem is this quadratic.
bool solveOnCoordinates(const Mat<double>& h, const Vec<double>& rhs, const std::vector<long>& free, Vec<double>& z);

// Moves `from` towards `to` (both offsets from `base`), stopping where the first coordinate with a sign
// (sign != 0) would cross zero, which is then set to exactly 0. Returns where it stopped.
Vec<double> stepWithinSigns(const Vec<double>& base, const Vec<double>& from, const Vec<double>& to,
                            const Vec<double>& sign);

}  // namespace lstmscope
