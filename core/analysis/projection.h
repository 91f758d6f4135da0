// State trajectories projected on their principal components (the app's trajectory view).
#pragma once

#include "core/model/model.h"

namespace lstmscope {

struct Projection {
  Mat<double> coordinates;   // (components, T): step t's position along each component
  Mat<double> axes;          // (H, components): unit-length principal directions, largest variance first
  Vec<double> variance;      // (components): variance along each axis
  Vec<double> mean;          // (H): the mean state that was subtracted
  double totalVariance = 0;  // sum of all H variances (for "explained %")
};

// PCA of the columns of `states` (H, T) onto its first `components` principal axes. Each axis's sign is
// fixed so that its largest-magnitude entry is positive, so results do not flip between runs.
Projection principalComponents(const Mat<float>& states, int components);

}  // namespace lstmscope
