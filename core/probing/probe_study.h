// A diagnostic-classifier study (docs/PROBES.md "Probes"): the probe of one layer's (or every layer's)
// quantity trained on one part of the input and tested on the other, beside the same probe on a control
// task (Hewitt & Liang 2019: every token type given a random label), whose gap is the selectivity.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/probing/l1_path.h"
#include "core/probing/linear_probe.h"
#include "core/probing/unit_ranking.h"

namespace lstmscope {

struct ProbeSplit {
  std::vector<long> train, test;  // steps
};

// Whole documents: the even-numbered ones (0, 2, …) train, the odd ones test. A single document (or one
// with steps and the others empty): its first half trains and its second half tests.
ProbeSplit splitByDocuments(const std::vector<int64_t>& offsets);

// The control task: every token type (the same text) gets the label of a step drawn at random (so labels
// keep their frequencies), the same at every occurrence. Seeded: the same input gives the same labels.
std::vector<double> controlLabels(const ProbeLabel& label, const std::vector<std::string>& tokenTypes, uint64_t seed);

struct ProbeOutcome {
  int layer = -1;  // -1: every layer together
  Quantity quantity = Quantity::C;
  long features = 0;
  double trainScore = 0, testScore = 0, controlScore = 0;
  double selectivity() const { return testScore - controlScore; }
  LinearProbe probe;                // fitted on the training steps
  std::vector<double> predictions;  // the probe's prediction at every step of the input
  // How far steering along this probe (every feature's unit) moves its score w.x, as L1Path::steeringShift
  // for the probe refitted on the L1 path's units; NaN for categories.
  double steeringShift = std::numeric_limits<double>::quiet_NaN();
};

// The features of a layer (every direction's units, one after another) at the given steps; layer -1:
// every layer's.
Mat<double> probeFeatures(int layer, Quantity quantity, const std::vector<int>& directionsPerLayer,
                          const QuantityValues& read, const std::vector<long>& steps);

// Memory a ranking and probes need at most: one quantity's values (`units` x `steps` floats) and each
// thread's group of rows in double, plus, for a probe of `probeFeatures` features, its feature matrix in
// double with its training and test copies and the L1 path's refit and centred copies (3.5 x in all).
double probeMemoryBytes(long steps, long units, long probeFeatures, int threads);
// Throws InputError naming `source` when probeMemoryBytes exceeds the budget: LSTMSCOPE_MEMORY_LIMIT_MB when
// set, else half of physical memory.
void checkProbeMemory(long steps, long units, long probeFeatures, int threads, const std::string& source);

// Trains and scores the probe, and the same probe on `control` labels.
ProbeOutcome runProbe(int layer, Quantity quantity, const std::vector<int>& directionsPerLayer,
                      const QuantityValues& read, const ProbeLabel& label, const std::vector<double>& control,
                      const ProbeSplit& split, const ProbeSettings& settings);

// The L1 path (l1_path.h) of the probe of `layer`'s `quantity` (-1: every layer), on the same split as runProbe,
// measured against that probe's full test score.
L1Path runL1Path(int layer, Quantity quantity, const std::vector<int>& directionsPerLayer, const QuantityValues& read,
                 const ProbeLabel& label, const ProbeSplit& split, const ProbeSettings& full, double fullTestScore,
                 const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
