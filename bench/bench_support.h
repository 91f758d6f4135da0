// Shared helpers for the benchmarks: timing, running commands, peak memory, hardware throughput.
#pragma once

#include <omp.h>
#include <sys/wait.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/common/denormals.h"

namespace lstmscope::bench {

// Our side of every benchmark runs as the app and the CLI do: denormals flushed to zero from the start.
inline const bool kDenormalsFlushed = (flushDenormalsToZero(), true);

// Debian's OpenBLAS does not recognise every CPU by its model name and falls back to a generic kernel
// (about 40 instead of 180-250 GFLOP/s here): the kernel this CPU supports, unless the caller named one.
inline std::string openBlasCoreType() {
  if (const char* named = std::getenv("OPENBLAS_CORETYPE")) return named;
  if (__builtin_cpu_supports("avx512f")) return "SkylakeX";
  if (__builtin_cpu_supports("avx2")) return "Haswell";
  return "";
}

// The command that runs Debian's python3-torch with that kernel (every PyTorch comparison goes through it).
inline std::string torchPython() {
  const std::string core = openBlasCoreType();
  return (core.empty() ? std::string() : "OPENBLAS_CORETYPE=" + core + " ") + "/usr/bin/python3";
}

// Says which OpenBLAS kernel PyTorch ran with, for the benchmark's report.
inline void printTorchKernel() {
  const std::string core = openBlasCoreType();
  std::printf("PyTorch with OPENBLAS_CORETYPE=%s\n", core.empty() ? "(OpenBLAS's own choice)" : core.c_str());
}

inline double seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median wall time of `repeats` runs after `warmups` untimed ones.
inline double medianSeconds(int warmups, int repeats, const std::function<void()>& f) {
  for (int k = 0; k < warmups; ++k) f();
  std::vector<double> t;
  for (int k = 0; k < repeats; ++k) t.push_back(seconds(f));
  return median(t);
}

// Runs a shell command, returns its stdout; throws if it fails.
inline std::string run(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

// Value following `key ` in `text` (a "key value" line), or NaN.
inline double valueAfter(const std::string& text, const std::string& key) {
  const size_t p = text.find(key + " ");
  return p == std::string::npos ? NAN : std::stod(text.substr(p + key.size() + 1));
}

struct Throughput {
  double gemvGflops;         // one core
  double gemvTwoCoreGflops;  // rows split over two cores, meeting once per product (as the engine does)
  double gemmGflops;         // Eigen's own threading (all cores)
};

// This machine's float matrix-vector and matrix-matrix throughput through Eigen (the library our engine
// uses), with the shapes of a (4H x H) recurrent product and a (4H x D) x (D x T) input projection.
inline Throughput measureThroughput(long H, long D, long T) {
  using M = Eigen::MatrixXf;
  const M W = M::Random(4 * H, H), Wi = M::Random(4 * H, D), X = M::Random(D, T);
  Eigen::VectorXf h = Eigen::VectorXf::Random(H), z(4 * H);
  const int reps = 2000;
  const double gemv = medianSeconds(1, 5, [&] {
    for (int k = 0; k < reps; ++k) {
      z.noalias() = W * h;
      h[k % H] += z[k % (4 * H)] * 1e-9f;  // keep a dependency between iterations, like the recurrence
    }
  });
  const M top = W.topRows(2 * H), bottom = W.bottomRows(2 * H);
  Eigen::VectorXf zTop(2 * H), zBottom(2 * H);
  // As the engine does it: each core multiplies its half of the rows, then both meet at a barrier.
  const double gemv2 = medianSeconds(1, 5, [&] {
#pragma omp parallel num_threads(2)
    {
      const bool first = omp_get_thread_num() == 0;
      for (int k = 0; k < reps; ++k) {
        if (first)
          zTop.noalias() = top * h;
        else
          zBottom.noalias() = bottom * h;
#pragma omp barrier
      }
    }
  });
  M Z(4 * H, T);
  const double gemm = medianSeconds(1, 5, [&] { Z.noalias() = Wi * X; });
  const double flop = 2.0 * 4 * H * H * reps;
  return {flop / gemv / 1e9, flop / gemv2 / 1e9, 2.0 * 4 * H * D * T / gemm / 1e9};
}

}  // namespace lstmscope::bench
