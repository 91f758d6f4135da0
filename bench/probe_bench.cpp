// The probing benchmark of issue 18 (docs/PROBES.md): against numpy / scikit-learn, side by side in one run,
//  1. ranking every unit of a 2-layer bidirectional 512-unit model, 6 quantities (24 blocks of 512 units,
//     12,288 units) against a number label over 1,000,000 steps, Pearson r (rankUnits);
//  2. a logistic probe on 512 units x 1,000,000 steps, 0/1 label (fitLinearProbe) against
//     LogisticRegression(C=1) with lbfgs and newton-cg.
// 12,288 units x 1M steps is 49 GB in float32, so the blocks are made one at a time, as rankUnits reads them.
// This process makes each block (untimed) and hands the very bytes to bench/numpy_probing.py through a memory
// file: both sides score identical data, and each times only its own computation. The blocks alternate
// between the sides (ours, then numpy), so each ratio compares runs seconds apart on this shared machine.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench/bench_support.h"
#include "core/engine/external_gemm.h"
#include "core/probing/linear_probe.h"
#include "core/probing/unit_ranking.h"

using namespace lstmscope;
using namespace lstmscope::bench;

namespace {

constexpr long kUnits = 512;
constexpr int kThreads = 2;

// Counter-based noise in [-1, 1): the same number for (seed, unit, step) whichever thread makes it.
inline float noise(uint64_t seed, uint64_t unit, uint64_t step) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ull + (step << 20) + unit;  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<float>(static_cast<int32_t>((z ^ (z >> 31)) >> 32)) * 0x1p-31f;
}

enum class Squash { Gate, Tanh, None };  // the ranges of i, f, o (0..1), g and h (-1..1), c (any)

// An LSTM-like block: each unit an AR(1) walk with its own persistence (0..0.99), offset and scale, one unit
// in 8 also following the label with a signed weight, squashed as its quantity is (softsign: cheap to make).
// Not i.i.d. and not standardised, as recorded states are not.
template <class T>
Mat<T> makeBlock(long steps, uint64_t seed, Squash squash, const std::vector<double>& label) {
  Mat<T> out(kUnits, steps);
#pragma omp parallel for num_threads(kThreads) schedule(static)
  for (long first = 0; first < kUnits; first += 64) {
    float a[64], offset[64], scale[64], weight[64], state[64] = {};
    for (long k = 0; k < 64; ++k) {
      const uint64_t u = static_cast<uint64_t>(first + k);
      a[k] = 0.495f * (noise(seed, u, 1ull << 40) + 1), offset[k] = noise(seed, u, 2ull << 40);
      scale[k] = 1.0f + 0.9f * noise(seed, u, 3ull << 40);
      weight[k] = u % 8 == 3 ? 0.2f * noise(seed, u, 4ull << 40) : 0.0f;
    }
    for (long t = 0; t < steps; ++t) {
      T* col = out.col(t).data() + first;
      const float y = static_cast<float>(label[static_cast<size_t>(t)]);
      for (long k = 0; k < 64; ++k) {
        state[k] = a[k] * state[k] + noise(seed, static_cast<uint64_t>(first + k), static_cast<uint64_t>(t));
        const float v = offset[k] + scale[k] * (state[k] + weight[k] * y);
        col[k] = squash == Squash::None   ? v
                 : squash == Squash::Tanh ? v / (1 + std::abs(v))
                                          : 0.5f + 0.5f * v / (1 + std::abs(v));
      }
    }
  }
  return out;
}

// A bracket-depth-like label: a walk of -1/0/+1 between 0 and 12.
std::vector<double> depthLabel(long steps) {
  std::vector<double> y(static_cast<size_t>(steps));
  double depth = 0;
  for (long t = 0; t < steps; ++t) {
    const float r = noise(99, 0, static_cast<uint64_t>(t));
    depth = std::clamp(depth + (r > 0.3f ? 1 : r < -0.3f ? -1 : 0), 0.0, 12.0);
    y[static_cast<size_t>(t)] = depth;
  }
  return y;
}

// A memory file the Python child inherits (no close-on-exec) and reads as /proc/self/fd/N.
struct SharedFile {
  int fd = memfd_create("lstmscope-probe-bench", 0);
  ~SharedFile() { close(fd); }
  void write(const void* data, size_t bytes) const {
    if (ftruncate(fd, static_cast<off_t>(bytes)) != 0) throw std::runtime_error("ftruncate");
    for (size_t done = 0; done < bytes;) {
      const ssize_t n = pwrite(fd, static_cast<const char*>(data) + done, bytes - done, static_cast<off_t>(done));
      if (n <= 0) throw std::runtime_error("pwrite");
      done += static_cast<size_t>(n);
    }
  }
  void clear() const { (void)!ftruncate(fd, 0); }
  std::string arg() const { return std::to_string(fd); }
};

// Peak RSS since the last reset (Linux: writing 5 to clear_refs resets VmHWM) and the current RSS, in MB.
double statusMb(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::string(key).size() + 1)) / 1024;
  return NAN;
}
double resetPeakRss() {
  std::ofstream("/proc/self/clear_refs") << "5";
  return statusMb("VmRSS");
}

std::vector<double> numbersAfter(const std::string& text, const std::string& key) {
  std::istringstream in(text.substr(text.find(key + " ") + key.size() + 1));
  std::string line;
  std::getline(in, line);
  std::istringstream numbers(line);
  std::vector<double> out;
  for (double v; numbers >> v;) out.push_back(v);
  return out;
}

// Read bandwidth (GB/s) and float64 GEMM rate (GFLOP/s, the probe's Hessian shape d x n times n x d) of this
// machine on kThreads cores: what the ranking (memory-bound) and the Newton probe (GEMM-bound) can reach.
std::pair<double, double> machineRates() {
  Eigen::setNbThreads(kThreads);
  const Eigen::VectorXf buffer = Eigen::VectorXf::Ones(256 << 20);
  volatile float sink = 0;
  const double read = medianSeconds(1, 5, [&] {
    float total = 0;
    const long half = buffer.size() / 2;
#pragma omp parallel for num_threads(kThreads) reduction(+ : total)
    for (int k = 0; k < 2; ++k) total += buffer.segment(k * half, half).sum();
    sink = sink + total;
  });
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(kUnits, 1 << 17);
  Eigen::MatrixXd gram(kUnits, kUnits);
  const double gemm = medianSeconds(1, 3, [&] { gram.noalias() = x * x.transpose(); });
  return {buffer.size() * sizeof(float) / read / 1e9, 2.0 * kUnits * kUnits * x.cols() / gemm / 1e9};
}

std::string python(const std::string& args) {
  return run(torchPython() + " " LSTMSCOPE_BENCH_DIR "/numpy_probing.py " + args);
}

}  // namespace

int main(int argc, char** argv) {
  // usage: probe_bench [--quick] [--ours]   (--quick: 200,000 steps; --ours: our side only, for profiling)
  blas::available();  // OpenBLAS for the probe's Hessian, loaded before any thread starts (external_gemm.h)
  bool quick = false, oursOnly = false;
  for (int k = 1; k < argc; ++k)
    quick |= std::string(argv[k]) == "--quick", oursOnly |= std::string(argv[k]) == "--ours";
  const long steps = quick ? 200'000 : 1'000'000;
  Eigen::setNbThreads(kThreads);
  const auto [bandwidth, gemmRate] = machineRates();
  std::printf("== probe benchmark: %ld steps, %d threads; this machine: read %.1f GB/s, float64 GEMM %.1f GFLOP/s ==\n",
              steps, kThreads, bandwidth, gemmRate);
  printTorchKernel();

  // --- 1. Ranking: 2 layers x 2 directions x 6 quantities, through rankUnits. Its reader makes each block
  // (and first lets numpy score the previous one): the reader's time is left out of ours.
  const std::vector<double> depth = depthLabel(steps);
  const ProbeLabel label = makeProbeLabel("bench:depth", depth, {});
  const SharedFile valuesFile, labelFile;
  labelFile.write(depth.data(), depth.size() * sizeof(double));
  const Quantity quantities[] = {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H};
  std::vector<QuantityRef> which;
  for (int l = 0; l < 2; ++l)
    for (int d = 0; d < 2; ++d)
      for (const Quantity q : quantities) which.push_back({l, d, q});
  const long blocks = oursOnly ? 2 : static_cast<long>(which.size());
  which.resize(static_cast<size_t>(blocks));

  std::vector<double> oursTimes, numpyTimes, ratios, numpyScores;
  double oursExtra = 0, numpyExtra = 0, numpyPeak = 0, rssAtReset = 0, outside = 0;
  std::string firstNumpy;
  auto lastReturn = std::chrono::steady_clock::now();
  const auto numpyScore = [&](long block) {
    const std::string out = python("pearson " + valuesFile.arg() + " " + labelFile.arg() + " " +
                                   std::to_string(kUnits) + " " + std::to_string(steps) + (block == 0 ? " r" : ""));
    if (block == 0) firstNumpy = out;
    numpyTimes.push_back(valueAfter(out, "numpy_s"));
    ratios.push_back(oursTimes.back() / numpyTimes.back());
    numpyExtra = std::max(numpyExtra, valueAfter(out, "extra_mb"));
    numpyPeak = std::max(numpyPeak, valueAfter(out, "peak_mb"));
    const std::vector<double> s = numbersAfter(out, "scores");
    numpyScores.insert(numpyScores.end(), s.begin(), s.end());
    std::printf("block %2ld: ours %.3f s, numpy %.3f s, ratio numpy/ours %.2f\n", block + 1, oursTimes.back(),
                numpyTimes.back(), 1 / ratios.back());
    std::fflush(stdout);
  };
  // The reader is entered again (or rankUnits returned): the block is scored and, as in real use, freed.
  const auto endOfScoring = [&] {
    oursTimes.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - lastReturn).count());
    oursExtra = std::max(oursExtra, statusMb("VmHWM") - rssAtReset);
  };
  long next = 0;
  const QuantityValues read = [&](const QuantityRef& ref) {
    const auto entered = std::chrono::steady_clock::now();
    if (next > 0) {
      endOfScoring();
      if (!oursOnly) numpyScore(next - 1);
    }
    const Squash squash = ref.quantity == Quantity::C                                  ? Squash::None
                          : ref.quantity == Quantity::G || ref.quantity == Quantity::H ? Squash::Tanh
                                                                                       : Squash::Gate;
    Mat<float> block = makeBlock<float>(steps, static_cast<uint64_t>(next++), squash, depth);
    if (!oursOnly) valuesFile.write(block.data(), static_cast<size_t>(block.size()) * sizeof(float));
    rssAtReset = resetPeakRss();
    lastReturn = std::chrono::steady_clock::now();
    outside += std::chrono::duration<double>(lastReturn - entered).count();
    return block;
  };
  const auto t0 = std::chrono::steady_clock::now();
  const UnitRanking ranking = rankUnits(which, read, label, RankingMetric::Pearson, kThreads);
  endOfScoring();
  const double oursTotal = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - outside;
  if (!oursOnly) numpyScore(blocks - 1);
  valuesFile.clear();  // its 2 GB would crowd the logistic part

  const double blockBytes = static_cast<double>(kUnits) * steps * sizeof(float);
  std::printf("ranking %ld units x %ld steps (%ld blocks of %.0f MB), Pearson r:\n", blocks * kUnits, steps, blocks,
              blockBytes / 1e6);
  // Ours reads each block once (the sums of each 256-step block, merged).
  std::printf("  ours (rankUnits):  %8.3f s in all, %.3f s per block, %.1f GB/s (one read; %.0f%% of the machine's)\n",
              oursTotal, median(oursTimes), blockBytes / median(oursTimes) / 1e9,
              100 * blockBytes / median(oursTimes) / 1e9 / bandwidth);
  std::printf("  ours peak RSS while scoring: %.0f MB beyond the %.0f MB block\n", oursExtra, blockBytes / 1e6);
  if (!oursOnly) {
    double worst = 0;
    for (const RankedUnit& u : ranking.ranked) {
      const size_t k = static_cast<size_t>(std::find_if(which.begin(), which.end(),
                                                        [&](const QuantityRef& r) {
                                                          return r.layer == u.where.layer &&
                                                                 r.direction == u.where.direction &&
                                                                 r.quantity == u.where.quantity;
                                                        }) -
                                           which.begin());
      worst = std::max(worst, std::abs(u.score.score - numpyScores[k * kUnits + static_cast<size_t>(u.unit)]));
    }
    double numpyTotal = 0;
    for (const double t : numpyTimes) numpyTotal += t;
    std::printf("  numpy (float64, two-pass, 1,024-step chunks): %8.3f s in all, %.3f s per block\n", numpyTotal,
                median(numpyTimes));
    std::printf("  numpy peak RSS: %.0f MB (process, with its copy of the block), %.0f MB beyond the block\n",
                numpyPeak, numpyExtra);
    std::printf(
        "  sklearn r_regression on block 1: %.3f s, %.0f MB beyond the block (largest difference from numpy %s)\n",
        valueAfter(firstNumpy, "r_regression_s"), valueAfter(firstNumpy, "r_regression_extra_mb"),
        firstNumpy.substr(firstNumpy.find("r_regression_diff ") + 18, 9).c_str());
    std::printf("  speed-up numpy/ours: %.2f (median of the blocks' ratios; goal >= 3)\n", 1 / median(ratios));
    std::printf(
        "  scored %zu, unscored %ld; largest |r ours - r numpy| %.2e; strongest: layer %d dir %d %s unit %d r %.4f\n",
        ranking.ranked.size(), ranking.unscored, worst, ranking.ranked[0].where.layer,
        ranking.ranked[0].where.direction, quantityName(ranking.ranked[0].where.quantity), ranking.ranked[0].unit,
        ranking.ranked[0].score.score);
  }
  std::fflush(stdout);

  // --- 2. Logistic probe on 512 h-like units, the label a noisy linear threshold of them (not separable).
  std::vector<double> labels(static_cast<size_t>(steps));
  const SharedFile xFile, yFile;
  LinearProbe ours;
  double oursFit = 0, oursFitExtra = 0, oursAccuracy = 0;
  {
    Mat<double> x = makeBlock<double>(steps, 1000, Squash::Tanh, depth);
    Vec<double> direction(kUnits);
    for (long u = 0; u < kUnits; ++u) direction(u) = noise(7, static_cast<uint64_t>(u), 0);
    const Vec<double> s = x.transpose() * direction;
    const double mean = s.mean(), spread = std::sqrt((s.array() - mean).square().mean());
    for (long t = 0; t < steps; ++t)
      labels[static_cast<size_t>(t)] = s(t) - mean + 0.5 * spread * noise(8, 0, static_cast<uint64_t>(t)) > 0;
    if (!oursOnly) {
      xFile.write(x.data(), static_cast<size_t>(x.size()) * sizeof(double));
      yFile.write(labels.data(), labels.size() * sizeof(double));
    }
    const double before = resetPeakRss();
    ProbeSettings settings;
    settings.kind = ProbeKind::Logistic, settings.c = 1.0;
    oursFit = seconds([&] { ours = fitLinearProbe(x, labels, LabelKind::Binary, 0, settings); });
    oursFitExtra = statusMb("VmHWM") - before;
    oursAccuracy = probeScore(ours, predictWithProbe(ours, x), labels);
  }  // x freed: the Python child holds its own copy
  const double n = static_cast<double>(steps), d = kUnits;
  std::printf("logistic probe, %ld features x %ld steps (%.0f MB in float64), C = 1:\n", kUnits, steps,
              d * n * 8 / 1e6);
  // Each Newton step forms the (d+1)^2 Hessian X W X^T: counted as the 2 d^2 n flops of a GEMM (a symmetric
  // rank update does half), so the rate compares with the machine's GEMM rate.
  std::printf(
      "  ours (Newton):     %8.3f s, %d Newton steps, %.1f s per step; Hessian %.1f GEMM-equivalent GFLOP/s "
      "(%.0f%% of the GEMM rate); %.0f MB beyond the features; accuracy %.4f\n",
      oursFit, ours.newtonSteps, oursFit / ours.newtonSteps, ours.newtonSteps * 2 * d * d * n / oursFit / 1e9,
      100 * ours.newtonSteps * 2 * d * d * n / oursFit / 1e9 / gemmRate, oursFitExtra, oursAccuracy);
  if (oursOnly) return 0;
  for (const char* solver : {"lbfgs", "newton-cg"}) {
    const std::string out = python("logistic " + xFile.arg() + " " + yFile.arg() + " " + std::to_string(kUnits) + " " +
                                   std::to_string(steps) + " " + solver + " 10000");
    const std::vector<double> coef = numbersAfter(out, "coef");
    double worst = std::abs(coef.back() - ours.intercepts(0));
    for (long u = 0; u < kUnits; ++u)
      worst = std::max(worst, std::abs(coef[static_cast<size_t>(u)] - ours.weights(0, u)));
    const double t = valueAfter(out, "sklearn_s");
    std::printf(
        "  sklearn %-9s  %8.3f s, %.0f iterations (converged %.0f), speed-up sklearn/ours %.2f; %.0f MB beyond the "
        "features, peak %.0f MB; accuracy %.4f; largest coefficient difference from ours %.2e (largest |w| %.2f)\n",
        solver, t, valueAfter(out, "n_iter"), valueAfter(out, "converged"), t / oursFit, valueAfter(out, "extra_mb"),
        valueAfter(out, "peak_mb"), valueAfter(out, "accuracy"), worst, ours.weights.cwiseAbs().maxCoeff());
    std::fflush(stdout);
  }
  return 0;
}
