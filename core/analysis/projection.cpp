#include "core/analysis/projection.h"

#include <Eigen/Eigenvalues>
#include <algorithm>

namespace lstmscope {

Projection principalComponents(const Mat<float>& states, int components) {
  Projection p;
  const long H = states.rows(), T = states.cols();
  const int k = static_cast<int>(std::clamp<long>(components, 0, H));
  const Mat<double> x = states.cast<double>();
  p.mean = T ? Vec<double>(x.rowwise().mean()) : Vec<double>::Zero(H);
  const Mat<double> centred = x.colwise() - p.mean;
  const Mat<double> covariance =
      T > 1 ? Mat<double>(centred * centred.transpose() / double(T - 1)) : Mat<double>::Zero(H, H);
  const Eigen::SelfAdjointEigenSolver<Mat<double>> eig(covariance);
  // Eigen returns eigenvalues in increasing order: take them from the back.
  p.axes.resize(H, k);
  p.variance.resize(k);
  for (int c = 0; c < k; ++c) {
    Vec<double> axis = eig.eigenvectors().col(H - 1 - c);
    long largest;
    axis.cwiseAbs().maxCoeff(&largest);
    if (axis[largest] < 0) axis = -axis;
    p.axes.col(c) = axis;
    p.variance[c] = std::max(0.0, eig.eigenvalues()[H - 1 - c]);
  }
  p.totalVariance = covariance.trace();
  p.coordinates = p.axes.transpose() * centred;
  return p;
}

}  // namespace lstmscope
