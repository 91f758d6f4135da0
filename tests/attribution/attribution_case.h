// One oracle case with its attribution reference (tests/oracle/make_cases.py writes one for every
// token-input case with a head and at most 300 steps): the model, its input vectors and the target.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "core/attribution/gradient_attribution.h"
#include "core/common/error.h"
#include "core/formats/native_model.h"
#include "tests/engine/oracle_support.h"

namespace lstmscope::test {

// Both sides compute in float64 from the same float32 weights; they differ only in summation order.
constexpr double kTolerance = 1e-8;

// One-hot and embedding inputs, 1-3 layers, bidirectional, final-states heads, both hard sigmoids,
// peepholes, clips, coupled gates, reverse layers (16: under a forward layer; 17: last, read at step 0).
inline const auto kAttributionCases = testing::Values(0, 1, 2, 5, 7, 10, 11, 12, 13, 15, 16, 17);
// Heads that pool every step with skip connections (18: attention over the embedding and both layers;
// 19: max over a bidirectional stack). LRP refuses them, so lrp_test checks that instead.
inline const auto kPoolingCases = testing::Values(18, 19);

inline Vec<double> readVector(hid_t file, const std::string& path) {
  return readSameShape(file, path).col(0);
}

// A numeric attribute of the object at `path` (group or dataset), read as double.
inline double readAttr(hid_t file, const std::string& path, const char* name) {
  const hid_t object = H5Oopen(file, path.c_str(), H5P_DEFAULT);
  const hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
  double v = NAN;
  H5Aread(attr, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(attr);
  H5Oclose(object);
  return v;
}

class AttributionCase : public testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const std::string dir = oracleDir() + "/case_" + std::to_string(GetParam());
    reference_ = std::make_unique<h5::File>(h5::File::openReadOnly(dir + "/reference.h5"));
    ASSERT_TRUE(h5::exists(reference_->id(), "attribution")) << "the generator wrote no attribution reference";
    net_ = loadNativeModel(dir + "/model.h5").cast<double>();
    vectors_ = onInputVectors(net_);
    tokens_.steps = static_cast<int>(*h5::readIntAttr(reference_->id(), "steps"));
    tokens_.tokens = h5::readInts(reference_->id(), "tokens", "reference");
    x_ = inputVectors(net_, tokens_);
    target_.step = static_cast<long>(readAttr(reference_->id(), "attribution", "target_step"));
    target_.output = static_cast<int>(readAttr(reference_->id(), "attribution", "target_output"));
  }
  hid_t ref() const { return reference_->id(); }
  // The reference's cell-unit target: unit 1 of layer 0's forward direction at the middle step.
  AttributionTarget cellTarget() const {
    const auto attr = [&](const char* name) {
      return static_cast<int>(readAttr(ref(), "attribution/cell_target", name));
    };
    return stateTarget(TargetKind::Cell, attr("layer"), attr("direction"), attr("unit"), attr("step"));
  }

  std::unique_ptr<h5::File> reference_;
  Network<double> net_, vectors_;
  Inputs<double> tokens_;
  Mat<double> x_;
  AttributionTarget target_;
};

}  // namespace lstmscope::test
