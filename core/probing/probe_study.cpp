#include "core/probing/probe_study.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "core/common/error.h"

namespace lstmscope {
namespace {

std::vector<double> labelsAt(const std::vector<double>& values, const std::vector<long>& steps) {
  std::vector<double> out;
  out.reserve(steps.size());
  for (const long t : steps) out.push_back(values[static_cast<size_t>(t)]);
  return out;
}

struct Fitted {
  LinearProbe probe;
  double train = std::nan(""), test = std::nan("");
};

Fitted fitAndScore(const Mat<double>& train, const Mat<double>& test, const std::vector<double>& values,
                   const ProbeSplit& split, const ProbeLabel& label, const ProbeSettings& settings) {
  Fitted f;
  const std::vector<double> yTrain = labelsAt(values, split.train), yTest = labelsAt(values, split.test);
  f.probe = fitLinearProbe(train, yTrain, label.kind, static_cast<int>(label.categories.size()), settings);
  f.train = probeScore(f.probe, predictWithProbe(f.probe, train), yTrain);
  f.test = probeScore(f.probe, predictWithProbe(f.probe, test), yTest);
  return f;
}

std::vector<long> everyStep(const ProbeLabel& label) {
  std::vector<long> steps(label.values.size());
  for (size_t t = 0; t < steps.size(); ++t) steps[t] = static_cast<long>(t);
  return steps;
}

}  // namespace

double probeMemoryBytes(long steps, long units, long probeFeatures, int threads) {
  const double t = static_cast<double>(steps);
  const double ranking = t * static_cast<double>(units) * sizeof(float) + 16.0 * t * sizeof(double) * threads;
  // all steps and the training and test copies (together all steps again); then the L1 path's refit on a
  // subset of the units (at most all steps once more) and the lasso's centred training copy
  const double probe = static_cast<double>(probeFeatures) * t * sizeof(double) * 3.5;
  return ranking + probe;
}

void checkProbeMemory(long steps, long units, long probeFeatures, int threads, const std::string& source) {
  double budget = 0.5 * static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (const char* limit = std::getenv("LSTMSCOPE_MEMORY_LIMIT_MB")) budget = std::atof(limit) * 1e6;
  const double needed = probeMemoryBytes(steps, units, probeFeatures, threads);
  if (needed <= budget) return;
  char text[256];
  std::snprintf(text, sizeof text,
                "ranking units over %ld steps%s needs about %.1f GB, more than the %.1f GB allowed (half of memory, "
                "or LSTMSCOPE_MEMORY_LIMIT_MB): probe fewer layers or steps, or rank without a probe",
                steps, probeFeatures > 0 ? " with a probe" : "", needed / 1e9, budget / 1e9);
  throw InputError(source, text);
}

ProbeSplit splitByDocuments(const std::vector<int64_t>& offsets) {
  ProbeSplit split;
  std::vector<size_t> withSteps;
  for (size_t d = 0; d + 1 < offsets.size(); ++d)
    if (offsets[d + 1] > offsets[d]) withSteps.push_back(d);
  if (withSteps.size() == 1) {
    const long first = offsets[withSteps[0]], end = offsets[withSteps[0] + 1], middle = first + (end - first) / 2;
    for (long t = first; t < end; ++t) (t < middle ? split.train : split.test).push_back(t);
    return split;
  }
  for (size_t k = 0; k < withSteps.size(); ++k)
    for (long t = offsets[withSteps[k]]; t < offsets[withSteps[k] + 1]; ++t)
      (k % 2 == 0 ? split.train : split.test).push_back(t);
  return split;
}

std::vector<double> controlLabels(const ProbeLabel& label, const std::vector<std::string>& tokenTypes, uint64_t seed) {
  if (tokenTypes.size() != label.values.size())
    throw std::invalid_argument("the control task needs one token per labelled step");
  std::mt19937_64 random(seed);
  std::unordered_map<std::string, double> assigned;
  std::vector<double> out;
  out.reserve(tokenTypes.size());
  for (const std::string& type : tokenTypes) {
    auto it = assigned.find(type);
    // Types get their label in order of first appearance: the same input always gives the same task.
    if (it == assigned.end()) it = assigned.emplace(type, label.values[random() % label.values.size()]).first;
    out.push_back(it->second);
  }
  return out;
}

Mat<double> probeFeatures(int layer, Quantity quantity, const std::vector<int>& directionsPerLayer,
                          const QuantityValues& read, const std::vector<long>& steps) {
  std::vector<Mat<float>> blocks;
  long rows = 0;
  for (int l = 0; l < static_cast<int>(directionsPerLayer.size()); ++l) {
    if (layer >= 0 && l != layer) continue;
    for (int d = 0; d < directionsPerLayer[static_cast<size_t>(l)]; ++d) {
      blocks.push_back(read({l, d, quantity}));
      rows += blocks.back().rows();
    }
  }
  Mat<double> x(rows, static_cast<long>(steps.size()));
  long row = 0;
  for (const Mat<float>& block : blocks) {
    for (size_t k = 0; k < steps.size(); ++k)
      x.block(row, static_cast<long>(k), block.rows(), 1) = block.col(steps[k]).cast<double>();
    row += block.rows();
  }
  return x;
}

ProbeOutcome runProbe(int layer, Quantity quantity, const std::vector<int>& directionsPerLayer,
                      const QuantityValues& read, const ProbeLabel& label, const std::vector<double>& control,
                      const ProbeSplit& split, const ProbeSettings& settings) {
  const Mat<double> all = probeFeatures(layer, quantity, directionsPerLayer, read, everyStep(label));
  const Mat<double> train = all(Eigen::all, split.train), test = all(Eigen::all, split.test);
  ProbeOutcome out;
  out.layer = layer, out.quantity = quantity, out.features = all.rows();
  // The control task is the same work again on other labels: it runs beside the real probe, on another core.
  // (If the real probe throws, the future's destructor waits for it before train and test go.)
  std::future<Fitted> controlled =
      std::async(std::launch::async, [&] { return fitAndScore(train, test, control, split, label, settings); });
  Fitted real = fitAndScore(train, test, label.values, split, label, settings);
  out.trainScore = real.train, out.testScore = real.test;
  out.probe = std::move(real.probe);
  out.predictions = predictWithProbe(out.probe, all);
  out.steeringShift = steeringShift(out.probe, train, labelsAt(label.values, split.train), label.kind);
  try {
    out.controlScore = controlled.get().test;
  } catch (const std::invalid_argument&) {
    out.controlScore = std::nan("");  // the random labels gave the training steps one class only
  }
  return out;
}

L1Path runL1Path(int layer, Quantity quantity, const std::vector<int>& directionsPerLayer, const QuantityValues& read,
                 const ProbeLabel& label, const ProbeSplit& split, const ProbeSettings& full, double fullTestScore,
                 const ProgressCallbacks& callbacks) {
  const Mat<double> all = probeFeatures(layer, quantity, directionsPerLayer, read, everyStep(label));
  return l1Path(all(Eigen::all, split.train), labelsAt(label.values, split.train), all(Eigen::all, split.test),
                labelsAt(label.values, split.test), label.kind, static_cast<int>(label.categories.size()), full,
                fullTestScore, callbacks);
}

}  // namespace lstmscope
