// Per-unit and per-step statistics the views show: gate saturation (Karpathy et al. 2015) and the
// head's top-k predictions.
#pragma once

#include <utility>
#include <vector>

#include "core/analysis/recording.h"
#include "core/model/model.h"

namespace lstmscope {

struct Saturation {
  double left = 0;   // fraction of steps with gate value < 0.1
  double right = 0;  // fraction of steps with gate value > 0.9
};

// One entry per unit (row) of `gate` (H, T).
std::vector<Saturation> gateSaturation(const Mat<float>& gate);

// Saturation of the gates i, f and o (in that order) of every layer and direction:
// table[layer][gate][direction][unit]. g is a tanh, not a gate in [0, 1], so it has none.
using SaturationTable = std::vector<std::vector<std::vector<std::vector<Saturation>>>>;
SaturationTable gateSaturationTable(const Recording& recording);

// Mean and (population) variance of every unit (row) of `values` (H, T) over its steps, in one pass over
// the columns (contiguous in memory), for sorting units.
struct UnitMoments {
  Vec<double> mean, variance;
};
UnitMoments unitMoments(const Mat<float>& values);

struct Prediction {
  int id = 0;
  float probability = 0;
};

// The k most probable outputs of column `step` of `probs` (K, T), most probable first; ties go to the
// lower id.
std::vector<Prediction> topK(const Mat<float>& probs, long step, int k);

// A colour range centred on zero that covers the values' 1st to 99th percentile: a few counter units reaching
// hundreds (cell states do) do not stretch it and leave the rest of the map white. Estimated from an
// evenly strided sample of at most 65,536 values (rank error ~0.04 percentile points; the app computes it
// on the GUI thread at every change of quantity, and a million samples of 100,000 x 256 values took 40 ms).
// (-1, 1) when there is no finite value, or every value is 0.
std::pair<double, double> symmetricPercentileRange(const Mat<float>& values);

// The colour range of an intervention's difference (values: units x steps, mostly exact zeros, so not a
// percentile): centred on zero, over the largest finite |difference| of the units not in `setUnits`. Those
// are the units an intervention sets directly in the layer shown; their own change (often the whole value)
// would otherwise leave every downstream change near white, and they are drawn saturated instead. Over all
// units when no other unit changed; (-1e-12, 1e-12) when nothing changed at all.
std::pair<double, double> differenceRange(const Mat<float>& values, const std::vector<int>& setUnits);

}  // namespace lstmscope
