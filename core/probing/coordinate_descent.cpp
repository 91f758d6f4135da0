#include "core/probing/coordinate_descent.h"

#include <Eigen/Cholesky>

namespace lstmscope {

bool solveOnCoordinates(const Mat<double>& h, const Vec<double>& rhs, const std::vector<long>& free, Vec<double>& z) {
  // LDL^T calls a semidefinite matrix "positive" and drops its zero pivots: ask for every pivot > 0.
  const Eigen::LDLT<Mat<double>> factor(h(free, free));
  if (factor.info() != Eigen::Success || !(factor.vectorD().array() > 0).all()) return false;
  const Vec<double> solution = factor.solve(rhs(free));
  if (!solution.allFinite()) return false;
  z(free) = solution;
  return true;
}

Vec<double> stepWithinSigns(const Vec<double>& base, const Vec<double>& from, const Vec<double>& to,
                            const Vec<double>& sign) {
  double share = 1;
  long stop = -1;
  for (long j = 0; j < sign.size(); ++j) {
    if (sign(j) == 0 || (base(j) + to(j)) * sign(j) > 0) continue;
    const double at = (base(j) + from(j)) / ((base(j) + from(j)) - (base(j) + to(j)));  // where base + point = 0
    if (at < share) share = at, stop = j;
  }
  Vec<double> point = from + share * (to - from);
  if (stop >= 0) point(stop) = -base(stop);
  return point;
}

}  // namespace lstmscope
