// Reading the float64 PyTorch references written by tests/oracle/make_cases.py.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/formats/hdf5.h"
#include "core/model/model.h"

namespace lstmscope::test {

// Directory with the generated cases (set by CMake; the generator runs as a CTest fixture).
inline std::string oracleDir() {
  return LSTMSCOPE_ORACLE_DIR;
}

// A reference dataset of shape (rows, cols) in C order, viewed as our column-major (cols, rows) layout
// (for (T, H) state datasets that is (H, T): one column per step).
inline Mat<double> readTransposed(hid_t file, const std::string& path) {
  h5::DoubleArray a = h5::readDoubles(file, path, path);
  const long rows = static_cast<long>(a.dims.at(0));
  const long cols = a.dims.size() > 1 ? static_cast<long>(a.dims[1]) : 1;
  return Eigen::Map<const Mat<double>>(a.values.data(), cols, rows);
}

// A reference dataset of shape (rows, cols) in C order as the same (rows, cols) matrix.
inline Mat<double> readSameShape(hid_t file, const std::string& path) {
  h5::DoubleArray a = h5::readDoubles(file, path, path);
  const long rows = static_cast<long>(a.dims.at(0));
  const long cols = a.dims.size() > 1 ? static_cast<long>(a.dims[1]) : 1;
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(a.values.data(), rows, cols);
}

// Largest |actual - expected| / (atol + rtol * |expected|); <= 1 means within tolerance.
template <class A, class B>
double worstRatio(const A& actual, const B& expected, double atol, double rtol) {
  double worst = 0;
  for (long k = 0; k < expected.size(); ++k) {
    const double e = static_cast<double>(expected.data()[k]);
    const double d = std::abs(static_cast<double>(actual.data()[k]) - e);
    worst = std::max(worst, d / (atol + rtol * std::abs(e)));
  }
  return worst;
}

// Relative error of a whole tensor: ||actual - expected||_inf / max(||expected||_inf, floor).
template <class A, class B>
double relativeError(const A& actual, const B& expected, double floor = 1e-12) {
  const double scale = std::max(expected.template cast<double>().cwiseAbs().maxCoeff(), floor);
  return (actual.template cast<double>() - expected.template cast<double>()).cwiseAbs().maxCoeff() / scale;
}

}  // namespace lstmscope::test
