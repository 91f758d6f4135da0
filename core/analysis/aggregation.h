// Min/max aggregation of a unit's values over runs of steps, for drawing more steps than pixels: signed
// data needs both extremes per pixel, not just one (docs/DEVELOPING.md, design rule 7). NaN propagates:
// a bin holding a NaN has NaN as its min and max, so a NaN stays visible at every zoom.
#pragma once

#include <vector>

#include "core/model/model.h"

namespace lstmscope {

struct MinMax {
  Mat<float> min, max;  // (H, ceil(T / stepsPerBin))
};

// Bin b covers steps [b * stepsPerBin, (b + 1) * stepsPerBin), the last bin what is left.
MinMax aggregateMinMax(const Mat<float>& values, long stepsPerBin);

// A pyramid of min/max levels: level 0 bins `firstBin` steps (a power of two >= 2), level k bins
// firstBin * 2^k, until one bin remains; each level is built from the previous one, so the whole pyramid
// costs one pass over the data. Memory: about 4 / firstBin times the data.
std::vector<MinMax> minMaxPyramid(const Mat<float>& values, long firstBin = 2);

}  // namespace lstmscope
